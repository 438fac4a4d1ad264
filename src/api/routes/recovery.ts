/**
 * The recovery routes of the v1 API (docs/api.md, "Recovery"; docs/recovery.md):
 * `POST /v1/catalog/rebuild` rebuilds an empty catalog from the point manifests in the store;
 * `GET /v1/doctor` compares the store with the catalog and changes nothing.
 */

import type { Router } from '../router.js';
import { noBody, ok, type RouteContext, type RouteResult, type RouteSpec } from './context.js';
import { expectNoQuery } from './parse.js';

export async function rebuildCatalog({ apis, query }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  return ok(await apis.recovery.rebuild());
}

export async function doctor({ apis, query }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  return ok(await apis.recovery.doctor());
}

export function addRecoveryRoutes(router: Router<RouteSpec>): Router<RouteSpec> {
  return router
    .add('POST', '/v1/catalog/rebuild', noBody(rebuildCatalog))
    .add('GET', '/v1/doctor', noBody(doctor));
}
