/**
 * The verify routes of the v1 API (docs/api.md, "Verify"; docs/verify.md):
 * `POST /v1/points/{id}/verify` and `POST /v1/chains/{id}/verify`, body `{ "deep": true }`
 * optional; 202 with the queued `verify` job.
 */

import type { VerifyInput } from '../../contract/index.js';
import type { Router } from '../router.js';
import { queued, withBody, type RouteContext, type RouteResult, type RouteSpec } from './context.js';
import { boolean, expectNoQuery, expectObject, id } from './parse.js';

export function parseVerifyInput(body: unknown): VerifyInput {
  const obj = expectObject(body ?? {}, ['deep']);
  return obj.deep === undefined ? {} : { deep: boolean(obj.deep, 'deep') };
}

export async function verifyPoint({ apis, params, query, body }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  return queued(await apis.verify.verifyPoint(id(params.id, 'point id'), parseVerifyInput(body)));
}

export async function verifyChain({ apis, params, query, body }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  return queued(await apis.verify.verifyChain(id(params.id, 'chain id'), parseVerifyInput(body)));
}

export function addVerifyRoutes(router: Router<RouteSpec>): Router<RouteSpec> {
  return router
    .add('POST', '/v1/points/:id/verify', withBody(verifyPoint))
    .add('POST', '/v1/chains/:id/verify', withBody(verifyChain));
}
