/**
 * TargetStoreFactory (ports/target.ts) on the S3 and SSH adapters: a target's row from the
 * catalog, its secrets from the daemon's own 0600 copies (service/copies/targets.ts SECRET).
 */

import { S3Target } from '../adapters/s3/s3-target.js';
import { pinnedKeys } from '../adapters/ssh/known-hosts.js';
import { SshTarget } from '../adapters/ssh/ssh-target.js';
import type { Catalog } from '../ports/catalog.js';
import type { SecretFiles } from '../ports/secret-files.js';
import type { TargetStore, TargetStoreFactory } from '../ports/target.js';
import { SECRET } from '../service/copies/targets.js';

export function targetStores(catalog: Catalog, secrets: SecretFiles): TargetStoreFactory {
  return {
    async open(targetId: string): Promise<TargetStore> {
      const t = catalog.copies.requireTarget(targetId);
      const c = t.config;
      if (c.kind === 's3') {
        const secret = (await secrets.load(t.id, SECRET.s3SecretKey)).toString('utf8').trim();
        return new S3Target({
          endpoint: c.endpoint,
          bucket: c.bucket,
          prefix: c.prefix,
          region: c.region,
          accessKeyId: c.accessKeyId,
          secretAccessKey: secret,
        });
      }
      const knownHosts = (await secrets.load(t.id, SECRET.knownHosts)).toString('utf8');
      return new SshTarget({
        host: c.host,
        port: c.port,
        user: c.user,
        privateKey: await secrets.load(t.id, SECRET.sshIdentity),
        pinned: pinnedKeys(knownHosts, c.host, c.port),
        path: c.path,
      });
    },
  };
}
