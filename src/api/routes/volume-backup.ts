/** The detached-volume backup routes of the v1 API (docs/api.md "Volume backups"). */

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
import { expectNoQuery } from './parse.js';
import { parseVolumeBackupInput, parseVolumeRollbackInput } from './parse-volume-backup.js';

export async function startVolumeBackup({ apis, query, body }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  return queued(await apis.volumeBackup.startBackup(parseVolumeBackupInput(body)));
}

export async function rollbackVolume({ apis, query, body }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  return queued(await apis.volumeBackup.rollback(parseVolumeRollbackInput(body)));
}

export async function listVolumeResources({ apis, query }: RouteContext): Promise<RouteResult> {
  const ref = query.get('volume');
  if (ref !== null) return ok([await apis.volumeBackup.findResource(ref)]);
  expectNoQuery(query);
  return ok(apis.volumeBackup.listResources());
}

export function addVolumeBackupRoutes(router: Router<RouteSpec>): Router<RouteSpec> {
  return router
    .add('POST', '/v1/volume-backups', withBody(startVolumeBackup))
    .add('POST', '/v1/volume-rollbacks', withBody(rollbackVolume))
    .add('GET', '/v1/volume-resources', noBody(listVolumeResources));
}
