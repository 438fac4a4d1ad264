/**
 * The rollback, volume and image routes of the v1 API (docs/api.md, "Restore"), registered on
 * the router by `buildRouter` (routes.ts). Rollback and the creates answer 202 with the queued
 * job (Location: the job); the deletes are done at once (204).
 */

import type { Router } from '../router.js';
import type { RouteSpec } from './index.js';
import { expectNoQuery, id } from './parse.js';
import { fileName, parseImageCreate, parseRollback, parseVolumeCreate } from './parse-restore.js';

const ok = (body: unknown) => ({ status: 200, body });
const noBody = (handle: RouteSpec['handle']): RouteSpec => ({ body: false, handle });
const withBody = (handle: RouteSpec['handle']): RouteSpec => ({ body: true, handle });
const queued = (job: { id: string }) => ({
  status: 202,
  body: job,
  headers: { location: `/v1/jobs/${job.id}` },
});

export function addRestoreRoutes(router: Router<RouteSpec>): Router<RouteSpec> {
  return router
    .add(
      'POST',
      '/v1/domains/:ref/rollback',
      withBody(async ({ control, query, params, body }) => {
        expectNoQuery(query);
        return queued(await control.startRollback(parseRollback(params.ref, body)));
      }),
    )
    .add(
      'GET',
      '/v1/volumes',
      noBody(async ({ control, query }) => {
        expectNoQuery(query);
        return ok(await control.listVolumes());
      }),
    )
    .add(
      'POST',
      '/v1/volumes',
      withBody(async ({ control, query, body }) => {
        expectNoQuery(query);
        return queued(await control.createVolume(parseVolumeCreate(body)));
      }),
    )
    .add(
      'GET',
      '/v1/volumes/:id',
      noBody(async ({ control, query, params }) => {
        expectNoQuery(query);
        return ok(await control.getVolume(id(params.id, 'volume id')));
      }),
    )
    .add(
      'DELETE',
      '/v1/volumes/:id',
      noBody(async ({ control, query, params }) => {
        expectNoQuery(query);
        await control.deleteVolume(id(params.id, 'volume id'));
        return { status: 204 };
      }),
    )
    .add(
      'GET',
      '/v1/images',
      noBody(async ({ control, query }) => {
        expectNoQuery(query);
        return ok(await control.listImages());
      }),
    )
    .add(
      'POST',
      '/v1/images',
      withBody(async ({ control, query, body }) => {
        expectNoQuery(query);
        return queued(await control.createImage(parseImageCreate(body)));
      }),
    )
    .add(
      'GET',
      '/v1/images/:name',
      noBody(async ({ control, query, params }) => {
        expectNoQuery(query);
        return ok(await control.getImage(fileName(params.name, 'image')));
      }),
    )
    .add(
      'DELETE',
      '/v1/images/:name',
      noBody(async ({ control, query, params }) => {
        expectNoQuery(query);
        await control.deleteImage(fileName(params.name, 'image'));
        return { status: 204 };
      }),
    );
}
