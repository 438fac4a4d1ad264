/**
 * The TargetStoreFactory (ports/target.ts): opens a target's store from its catalog row and the
 * daemon's own 0600 copies of its secrets (targets.ts SECRET), through the adapters the
 * composition root passes in, paced by the target's `--bwlimit` (throttle.ts). Secrets go
 * straight from the file to the adapter: never logged, never in an error message.
 */

import { VirtpointError } from '../../core/errors.js';
import type { Catalog } from '../../ports/catalog.js';
import type { S3TargetConfig, SshTargetConfig } from '../../ports/copies-catalog.js';
import type { Clock } from '../../ports/fs.js';
import type { SecretFiles } from '../../ports/secret-files.js';
import type { TargetStore, TargetStoreFactory } from '../../ports/target.js';
import { SECRET } from './targets.js';
import { Throttle, ThrottledTarget } from './throttle.js';

/** The adapters (adapters/s3, adapters/ssh), wired in daemon/compose.ts. */
export interface TargetAdapters {
  s3(config: S3TargetConfig, secretAccessKey: string): TargetStore;
  ssh(config: SshTargetConfig, identity: Buffer, knownHosts: string): TargetStore;
}

export interface TargetStoresDeps {
  readonly catalog: Catalog;
  readonly secrets: SecretFiles;
  readonly adapters: TargetAdapters;
  readonly clock: Clock;
}

export class TargetStores implements TargetStoreFactory {
  constructor(private readonly deps: TargetStoresDeps) {}

  private async secret(targetId: string, targetName: string, name: string): Promise<Buffer> {
    try {
      return await this.deps.secrets.load(targetId, name);
    } catch (e) {
      if (e instanceof VirtpointError && e.code === 'NOT_FOUND') {
        throw new VirtpointError(
          'TARGET_AUTH_FAILED',
          `target ${targetName}: the daemon's copy of its ${name} is missing: remove the target and add it again`,
        );
      }
      throw e;
    }
  }

  async open(targetId: string): Promise<TargetStore> {
    const t = this.deps.catalog.copies.requireTarget(targetId);
    const c = t.config;
    const store =
      c.kind === 's3'
        ? this.deps.adapters.s3(
            c,
            (await this.secret(t.id, t.name, SECRET.s3SecretKey)).toString('utf8').trim(),
          )
        : this.deps.adapters.ssh(
            c,
            await this.secret(t.id, t.name, SECRET.sshIdentity),
            (await this.secret(t.id, t.name, SECRET.knownHosts)).toString('utf8'),
          );
    return t.bwlimit === null ? store : new ThrottledTarget(store, new Throttle(t.bwlimit, this.deps.clock));
  }

  /** The encryption key of a target, or null when it does not encrypt. */
  async encryptionKey(targetId: string): Promise<Buffer | null> {
    const t = this.deps.catalog.copies.requireTarget(targetId);
    if (t.keyId === null) return null;
    return this.secret(t.id, t.name, SECRET.encryptKey);
  }
}
