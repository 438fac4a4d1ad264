/**
 * The detached-volume backup (docs/backup-engine.md "Detached volumes") wired for compose.ts:
 * the offline backup engine on qemu-storage-daemon, the volume_resources records, the resource
 * lookups (libvirt storage volumes, realpath, allowed_volume_dirs), and its API.
 */

import { realpath } from 'node:fs/promises';
import { join } from 'node:path';

import type { Database } from 'better-sqlite3';

import { nodeOfflineBackupHost, QsdOfflineBackup } from '../adapters/qmp/offline-backup.js';
import { SqliteVolumeResources } from '../adapters/sqlite/sqlite-volume-resources.js';
import { VirtpointError } from '../core/errors.js';
import type { BackupDeps } from '../service/backup/deps.js';
import type { DomainLocks } from '../service/jobs/domain-locks.js';
import type { JobRunner } from '../service/jobs/runner.js';
import { VolumeBackupApiImpl } from '../service/volume-backup/api.js';
import { VolumeBackupService } from '../service/volume-backup/backup.js';
import { resolveVolume, type VolumeRef } from '../service/volume-backup/resource.js';
import { VolumeRollbackService } from '../service/volume-backup/rollback.js';
import type { VerifyDeps } from '../service/verify/verify.js';

async function realPath(p: string): Promise<string> {
  try {
    return await realpath(p);
  } catch (e) {
    throw new VirtpointError('NOT_FOUND', `${p} does not exist (or cannot be read): ${String(e)}`);
  }
}

export function volumeBackupParts(
  deps: BackupDeps & Pick<VerifyDeps, 'onVerifyFailure'>,
  o: {
    readonly db: Database;
    readonly stateDir: string;
    readonly allowedVolumeDirs: readonly string[];
    readonly pools: { volumePath(pool: string, volume: string): Promise<string> };
    readonly locks: DomainLocks;
  },
) {
  const offline = new QsdOfflineBackup(nodeOfflineBackupHost(deps.fs));
  const resources = new SqliteVolumeResources(o.db);
  const runDir = join(o.stateDir, 'volume-backup');
  const full = {
    ...deps,
    offline,
    resources,
    runDir,
    volumePath: (pool: string, volume: string) => o.pools.volumePath(pool, volume),
    realPath,
    allowedDirs: o.allowedVolumeDirs,
    locks: o.locks,
  };
  const service = new VolumeBackupService(full);
  const rollback = new VolumeRollbackService(full, o.locks);
  return {
    service,
    /** What a task's volume resources need: the backup, the records, and the resolver. */
    forTasks: { backup: service, resources, resolve: (ref: VolumeRef) => resolveVolume(full, ref) },
    /** Before reconcile: a qemu-storage-daemon a killed virtpointd left is stopped by its PID. */
    stopLeftovers: async () => {
      const stopped = await offline.stopLeftovers(runDir);
      if (stopped.length > 0)
        deps.log.warn({ points: stopped }, 'stopped the qemu-storage-daemon of interrupted volume backups');
    },
    api: (runner: Pick<JobRunner, 'submit'>) =>
      new VolumeBackupApiImpl({
        catalog: deps.catalog,
        runner,
        backup: service,
        rollback,
        resources,
        realPath,
      }),
  };
}
