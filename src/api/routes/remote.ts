/**
 * The remote routes of the v1 API (docs/api.md "Restore from a target"; docs/copies.md):
 * `GET /v1/targets/{name}/points[?domain=&host=]` (remote list), `POST
 * /v1/targets/{name}/verify` (`{point?}`; 200 with the result, `ok` false on a mismatch),
 * `POST /v1/targets/{name}/prune` (remote retention now), `POST /v1/remote-restores` (202 with
 * a `remote-restore` job).
 */

import type { RemoteRestoreInput } from '../../contract/index.js';
import type { Router } from '../router.js';
import {
  noBody,
  ok,
  queued,
  withBody,
  type RouteContext,
  type RouteResult,
  type RouteSpec,
} from './context.js';
import { boolean, domainRef, expectNoQuery, expectObject, id, invalid, queryParams } from './parse.js';

function name(value: unknown, field: string): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(value)) {
    throw invalid(`${field} must be a target name`);
  }
  return value;
}

function path(value: unknown, field: string): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.length > 4096 || /[\0\n]/.test(value)) {
    throw invalid(`${field} must be an absolute path`);
  }
  return value;
}

export async function listRemote({ apis, params, query }: RouteContext): Promise<RouteResult> {
  const q = queryParams(query, ['domain', 'host']);
  const domain = q.get('domain');
  const host = q.get('host');
  return ok(
    await apis.remote.list(name(params.name, 'target name'), {
      ...(domain === undefined ? {} : { domain: domainRef(domain, 'domain') }),
      ...(host === undefined ? {} : { host: domainRef(host, 'host') }),
    }),
  );
}

export async function verifyRemote({ apis, params, query, body }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  const obj = body === undefined ? {} : expectObject(body, ['point']);
  return ok(
    await apis.remote.verify(
      name(params.name, 'target name'),
      obj.point === undefined ? undefined : id(obj.point, 'point'),
    ),
  );
}

export async function pruneRemote({ apis, params, query, body }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  if (body !== undefined) expectObject(body, []);
  return ok(await apis.remote.prune(name(params.name, 'target name')));
}

export function parseRemoteRestore(body: unknown): RemoteRestoreInput {
  const o = expectObject(body, ['target', 'point', 'as', 'dir', 'pool', 'start', 'keepMacs']);
  if (typeof o.as !== 'string' || o.as.length === 0 || o.as.length > 64)
    throw invalid('as must be a domain name');
  return {
    target: name(o.target, 'target'),
    point: id(o.point, 'point'),
    as: o.as,
    ...(o.dir === undefined ? {} : { dir: path(o.dir, 'dir') }),
    ...(o.pool === undefined ? {} : { pool: domainRef(o.pool, 'pool') }),
    ...(o.start === undefined ? {} : { start: boolean(o.start, 'start') }),
    ...(o.keepMacs === undefined ? {} : { keepMacs: boolean(o.keepMacs, 'keepMacs') }),
  };
}

export async function startRemoteRestore({ apis, query, body }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  return queued(await apis.remote.startRestore(parseRemoteRestore(body)));
}

export function addRemoteRoutes(router: Router<RouteSpec>): Router<RouteSpec> {
  return router
    .add('GET', '/v1/targets/:name/points', noBody(listRemote))
    .add('POST', '/v1/targets/:name/verify', withBody(verifyRemote))
    .add('POST', '/v1/targets/:name/prune', withBody(pruneRemote))
    .add('POST', '/v1/remote-restores', withBody(startRemoteRestore));
}
