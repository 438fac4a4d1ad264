/**
 * The rollback, volume and image routes of the v1 API (docs/api.md, "Restore"). Rollback and the
 * creates answer 202 with the queued job (Location: the job); the deletes are done at once (204).
 */

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
import { expectNoQuery } from './parse.js';
import { fileName, parseImageCreate, parseRollback, parseVolumeCreate } from './parse-restore.js';

export async function startRollback({ apis, query, params, body }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  return queued(await apis.restore.startRollback(parseRollback(params.ref, body)));
}

export async function listVolumes({ apis, query }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  return ok(await apis.restore.listVolumes());
}

export async function createVolume({ apis, query, body }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  return queued(await apis.restore.createVolume(parseVolumeCreate(body)));
}

export async function getVolume({ apis, query, params }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  return ok(await apis.restore.getVolume(fileName(params.id, 'volume'))); // id or name
}

export async function deleteVolume({ apis, query, params }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  await apis.restore.deleteVolume(fileName(params.id, 'volume')); // id or name
  return noContent();
}

export async function listImages({ apis, query }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  return ok(await apis.restore.listImages());
}

export async function createImage({ apis, query, body }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  return queued(await apis.restore.createImage(parseImageCreate(body)));
}

export async function getImage({ apis, query, params }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  return ok(await apis.restore.getImage(fileName(params.name, 'image')));
}

export async function deleteImage({ apis, query, params }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  await apis.restore.deleteImage(fileName(params.name, 'image'));
  return noContent();
}

export function addRestoreRoutes(router: Router<RouteSpec>): Router<RouteSpec> {
  return router
    .add('POST', '/v1/domains/:ref/rollback', withBody(startRollback))
    .add('GET', '/v1/volumes', noBody(listVolumes))
    .add('POST', '/v1/volumes', withBody(createVolume))
    .add('GET', '/v1/volumes/:id', noBody(getVolume))
    .add('DELETE', '/v1/volumes/:id', noBody(deleteVolume))
    .add('GET', '/v1/images', noBody(listImages))
    .add('POST', '/v1/images', withBody(createImage))
    .add('GET', '/v1/images/:name', noBody(getImage))
    .add('DELETE', '/v1/images/:name', noBody(deleteImage));
}
