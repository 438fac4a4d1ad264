/**
 * The routes of the v1 API (docs/api.md), one file per feature: each named handler parses its
 * input, calls its feature's API once and says what to answer. Errors are thrown as they come;
 * the server maps them in one place.
 */

import { Router } from '../router.js';
import { addBackupRoutes } from './backup.js';
import { addCatalogRoutes } from './catalog.js';
import { addCopiesRoutes } from './copies.js';
import type { RouteSpec } from './context.js';
import { addDomainCreateRoutes } from './domain-create.js';
import { addMountRoutes } from './mount.js';
import { addMetricsRoutes } from './metrics.js';
import { addRecoveryRoutes } from './recovery.js';
import { addRemoteRoutes } from './remote.js';
import { addVerifyRoutes } from './verify.js';
import { addRestoreRoutes } from './restore.js';
import { addSchedulingRoutes } from './scheduling.js';
import { addVolumeBackupRoutes } from './volume-backup.js';

export function buildRouter(): Router<RouteSpec> {
  const router = new Router<RouteSpec>();
  for (const add of [
    addSchedulingRoutes,
    addRestoreRoutes,
    addCatalogRoutes,
    addBackupRoutes,
    addRecoveryRoutes,
    addVerifyRoutes,
    addCopiesRoutes,
    addRemoteRoutes,
    addMountRoutes,
    addDomainCreateRoutes,
    addMetricsRoutes,
    addVolumeBackupRoutes,
  ])
    add(router);
  return router;
}
