/**
 * The remote feature's part of the composition root (docs/copies.md, "Restore from a target"):
 * built here so compose.ts stays one call. `stores` opens a target (service/copies/target-stores.ts);
 * `hostId` is this host's id in the remote layout (null until it has one: retention then deletes
 * nothing).
 */

import { NodeFileSink } from '../adapters/file-sink.js';
import type { RandomBytes } from '../core/names.js';
import type { Catalog } from '../ports/catalog.js';
import type { Clock, Fs } from '../ports/fs.js';
import type { Hypervisor } from '../ports/hypervisor.js';
import type { ImageTool } from '../ports/image-tool.js';
import type { Logger } from '../ports/logger.js';
import type { SecretFiles } from '../ports/secret-files.js';
import type { StoragePools } from '../ports/storage-pools.js';
import type { TargetStoreFactory } from '../ports/target.js';
import type { JobRunner } from '../service/jobs/runner.js';
import { RemoteApiImpl } from '../service/remote/api.js';
import { removeFetchLeftovers } from '../service/remote/fetch.js';
import { RemoteService } from '../service/remote/remote.js';
import { RemoteRestoreService } from '../service/remote/restore.js';
import { RemoteRetentionService } from '../service/remote/retention.js';

export interface RemoteComposeDeps {
  readonly catalog: Catalog;
  readonly secrets: SecretFiles;
  readonly stores: TargetStoreFactory;
  readonly hostId?: () => string | null;
  readonly fs: Fs;
  readonly clock: Clock;
  readonly random: RandomBytes;
  readonly log: Logger;
  readonly storeRoot: string;
  readonly hypervisor: Hypervisor & StoragePools;
  readonly imageTool: ImageTool;
  readonly allowedVolumeDirs: readonly string[];
  readonly runner: JobRunner;
}

export async function composeRemote(d: RemoteComposeDeps): Promise<RemoteApiImpl> {
  // Fetch directories a killed daemon left under the store (only the names fetch.ts makes).
  await removeFetchLeftovers(d.fs, d.storeRoot, d.log);
  const open = {
    catalog: d.catalog,
    secrets: d.secrets,
    stores: d.stores,
  };
  const sink = new NodeFileSink();
  return new RemoteApiImpl({
    runner: d.runner,
    remote: new RemoteService({ ...open, log: d.log }),
    restore: new RemoteRestoreService({
      ...open,
      fs: d.fs,
      sink,
      random: d.random,
      log: d.log,
      storeRoot: d.storeRoot,
      hypervisor: d.hypervisor,
      imageTool: d.imageTool,
      pools: d.hypervisor,
      allowedVolumeDirs: d.allowedVolumeDirs,
    }),
    retention: new RemoteRetentionService({
      ...open,
      clock: d.clock,
      log: d.log,
      hostId: d.hostId ?? (() => null),
    }),
  });
}
