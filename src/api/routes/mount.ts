/**
 * The mount routes of the v1 API (docs/api.md "Mounts"; docs/restore.md): mounts and NBD exports
 * are answered at once (201 with the mount), `DELETE /v1/mounts/{id}` undoes one (200 with what
 * it was), `GET /v1/points/{id}/partitions?disk=vda` lists a disk's partitions.
 */

import type { Router } from '../router.js';
import { noBody, ok, withBody, type RouteContext, type RouteResult, type RouteSpec } from './context.js';
import { expectNoQuery, id, invalid, queryParams } from './parse.js';
import { diskTarget, parseExport, parseMount } from './parse-mount.js';

const created = (body: { id: string }) => ({
  status: 201,
  body,
  headers: { location: `/v1/mounts/${body.id}` },
});

export async function createMount({ apis, query, body }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  return created(await apis.mount.mount(parseMount(body)));
}

export async function createExport({ apis, query, body }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  return created(await apis.mount.export(parseExport(body)));
}

export async function listMounts({ apis, query }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  return ok(await apis.mount.list());
}

export async function deleteMount({ apis, query, params }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  return ok(await apis.mount.unmount(id(params.id, 'mount id')));
}

export async function pointPartitions({ apis, query, params }: RouteContext): Promise<RouteResult> {
  const q = queryParams(query, ['disk']);
  const disk = q.get('disk');
  if (disk === undefined) throw invalid('disk is required (?disk=vda)');
  return ok(await apis.mount.partitions(id(params.id, 'point id'), diskTarget(disk)));
}

export function addMountRoutes(router: Router<RouteSpec>): Router<RouteSpec> {
  return router
    .add('GET', '/v1/mounts', noBody(listMounts))
    .add('POST', '/v1/mounts', withBody(createMount))
    .add('DELETE', '/v1/mounts/:id', noBody(deleteMount))
    .add('POST', '/v1/exports', withBody(createExport))
    .add('GET', '/v1/points/:id/partitions', noBody(pointPartitions));
}
