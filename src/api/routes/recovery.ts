/**
 * The recovery routes of the v1 API (docs/api.md, "Recovery"; docs/recovery.md):
 * `POST /v1/catalog/rebuild` rebuilds an empty catalog from the point manifests in the store;
 * `GET /v1/doctor` compares the store with the catalog and changes nothing.
 */

import { VirtpointError } from '../../core/errors.js';
import type { Control } from '../../service/control.js';
import type { Router } from '../router.js';
import type { RouteSpec } from './index.js';
import { expectNoQuery } from './parse.js';

const noBody = (handle: RouteSpec['handle']): RouteSpec => ({ body: false, handle });

function recovery(control: Control) {
  if (control.recovery === undefined)
    throw new VirtpointError('UNSUPPORTED', 'recovery is not wired in this daemon');
  return control.recovery;
}

export function addRecoveryRoutes(router: Router<RouteSpec>): Router<RouteSpec> {
  return router
    .add(
      'POST',
      '/v1/catalog/rebuild',
      noBody(async ({ control, query }) => {
        expectNoQuery(query);
        return { status: 200, body: await recovery(control).rebuild() };
      }),
    )
    .add(
      'GET',
      '/v1/doctor',
      noBody(async ({ control, query }) => {
        expectNoQuery(query);
        return { status: 200, body: await recovery(control).doctor() };
      }),
    );
}
