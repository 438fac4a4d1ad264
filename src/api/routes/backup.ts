/** The backup route of the v1 API (docs/api.md "Backups"): 202 with the queued job. */

import type { Router } from '../router.js';
import { queued, withBody, type RouteContext, type RouteResult, type RouteSpec } from './context.js';
import { expectNoQuery } from './parse.js';
import { parseBackupInput } from './parse-backup.js';

export async function startBackup({ apis, query, body }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  return queued(await apis.backup.startBackup(parseBackupInput(body)));
}

export function addBackupRoutes(router: Router<RouteSpec>): Router<RouteSpec> {
  return router.add('POST', '/v1/backups', withBody(startBackup));
}
