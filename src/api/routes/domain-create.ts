/**
 * Domain create (docs/api.md "Domain create"; docs/restore.md): `POST /v1/domains` queues a
 * `create-domain` job (202); `GET /v1/points/{id}/xml` is the domain XML the point recorded.
 */

import type { DomainCreateInput } from '../../contract/index.js';
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
import { boolean, expectNoQuery, expectObject, id, invalid } from './parse.js';
import { absolutePath } from './parse-mount.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function parseDomainCreate(body: unknown): DomainCreateInput {
  const o = expectObject(body, ['point', 'as', 'dir', 'pool', 'linked', 'start']);
  if (o.point === undefined) throw invalid('point is required');
  if (typeof o.as !== 'string' || o.as === '') throw invalid('as is required (the new domain name)');
  const input: Mutable<DomainCreateInput> = { point: id(o.point, 'point'), as: o.as };
  if (o.dir !== undefined) input.dir = absolutePath(o.dir, 'dir');
  if (o.pool !== undefined) {
    if (typeof o.pool !== 'string' || o.pool === '' || o.pool.includes('/'))
      throw invalid('pool must be a pool name');
    input.pool = o.pool;
  }
  if (o.linked !== undefined) input.linked = boolean(o.linked, 'linked');
  if (o.start !== undefined) input.start = boolean(o.start, 'start');
  return input;
}

export async function createDomain({ apis, query, body }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  return queued(await apis.domains.createDomain(parseDomainCreate(body)));
}

export async function pointXml({ apis, query, params }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  return ok(await apis.domains.pointXml(id(params.id, 'point id')));
}

export function addDomainCreateRoutes(router: Router<RouteSpec>): Router<RouteSpec> {
  return router
    .add('POST', '/v1/domains', withBody(createDomain))
    .add('GET', '/v1/points/:id/xml', noBody(pointXml));
}
