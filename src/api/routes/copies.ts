/**
 * The copies routes of the v1 API (docs/api.md, "Targets"; docs/copies.md):
 * `POST /v1/targets` (201 with the TargetView), `GET /v1/targets`, `GET /v1/targets/{name}`,
 * `DELETE /v1/targets/{name}` (204; the remote objects stay), `POST /v1/targets/{name}/test`
 * (a probe written, read back and deleted: TargetTestView). Secrets come as file paths only.
 * `POST /v1/points/{id}/copy` and `POST /v1/chains/{id}/copy`, body `{ "target": NAME }`: 202
 * with the queued `copy` job.
 */

import type { CopyInput, S3TargetInput, SshTargetInput, TargetAddInput } from '../../contract/index.js';
import type { Router } from '../router.js';
import {
  noBody,
  noContent,
  ok,
  queued,
  withBody,
  type RouteContext,
  type RouteResult,
  type RouteSpec,
} from './context.js';
import { expectNoBody, expectNoQuery, expectObject, id, invalid } from './parse.js';

function text(value: unknown, field: string, max = 4096): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max || /[\0\n]/.test(value)) {
    throw invalid(`${field} must be a non-empty string of at most ${max} characters`);
  }
  return value;
}

const optional = (obj: Record<string, unknown>, field: string, what: string) =>
  obj[field] === undefined ? {} : { [field]: text(obj[field], `${what}${field}`) };

export function parseTargetAdd(body: unknown): TargetAddInput {
  const obj = expectObject(body, ['name', 's3', 'ssh', 'encryptKeyFile', 'bwlimit', 'retention']);
  let s3: S3TargetInput | undefined;
  let ssh: SshTargetInput | undefined;
  if (obj.s3 !== undefined) {
    const o = expectObject(
      obj.s3,
      ['url', 'bucket', 'prefix', 'region', 'accessKeyId', 'secretKeyFile'],
      's3',
    );
    s3 = {
      url: text(o.url, 's3.url'),
      bucket: text(o.bucket, 's3.bucket'),
      accessKeyId: text(o.accessKeyId, 's3.accessKeyId'),
      secretKeyFile: text(o.secretKeyFile, 's3.secretKeyFile'),
      ...optional(o, 'prefix', 's3.'),
      ...optional(o, 'region', 's3.'),
    };
  }
  if (obj.ssh !== undefined) {
    const o = expectObject(obj.ssh, ['url', 'identityFile', 'knownHostsFile'], 'ssh');
    ssh = {
      url: text(o.url, 'ssh.url'),
      identityFile: text(o.identityFile, 'ssh.identityFile'),
      knownHostsFile: text(o.knownHostsFile, 'ssh.knownHostsFile'),
    };
  }
  return {
    name: text(obj.name, 'name', 63),
    ...(s3 === undefined ? {} : { s3 }),
    ...(ssh === undefined ? {} : { ssh }),
    ...optional(obj, 'encryptKeyFile', ''),
    ...optional(obj, 'bwlimit', ''),
    ...optional(obj, 'retention', ''),
  };
}

export async function addTarget({ apis, query, body }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  return { status: 201, body: await apis.copies.addTarget(parseTargetAdd(body)) };
}

export async function listTargets({ apis, query, body }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  expectNoBody(body);
  return ok(await apis.copies.listTargets());
}

export async function showTarget({ apis, params, query }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  return ok(await apis.copies.showTarget(text(params.name, 'target name', 63)));
}

export async function removeTarget({ apis, params, query }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  await apis.copies.removeTarget(text(params.name, 'target name', 63));
  return noContent();
}

export async function testTarget({ apis, params, query }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  return ok(await apis.copies.testTarget(text(params.name, 'target name', 63)));
}

export function parseCopyInput(body: unknown): CopyInput {
  const obj = expectObject(body, ['target']);
  return { target: text(obj.target, 'target', 63) };
}

export async function copyPoint({ apis, params, query, body }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  return queued(await apis.copies.copyPoint(id(params.id, 'point id'), parseCopyInput(body)));
}

export async function copyChain({ apis, params, query, body }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  return queued(await apis.copies.copyChain(id(params.id, 'chain id'), parseCopyInput(body)));
}

export function addCopiesRoutes(router: Router<RouteSpec>): Router<RouteSpec> {
  return router
    .add('POST', '/v1/targets', withBody(addTarget))
    .add('GET', '/v1/targets', noBody(listTargets))
    .add('GET', '/v1/targets/:name', noBody(showTarget))
    .add('DELETE', '/v1/targets/:name', noBody(removeTarget))
    .add('POST', '/v1/targets/:name/test', noBody(testTarget))
    .add('POST', '/v1/points/:id/copy', withBody(copyPoint))
    .add('POST', '/v1/chains/:id/copy', withBody(copyChain));
}
