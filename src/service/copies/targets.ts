/**
 * Targets (docs/copies.md): `target add|list|show|remove`. Adding a target reads the operator's
 * secret files once — each must be a regular file (not a symlink) with no group or other
 * permission bits — and keeps 0600 copies of them under <state_dir>/targets/<id>/; the catalog
 * row holds no secret and no path into the operator's files. Removing a target removes its row,
 * its copies' rows and the daemon's copies of its secrets, never an object on the target.
 */

import type { TargetAddInput, TargetView } from '../../contract/index.js';
import { keyId, KEY_BYTES } from '../../core/encryption.js';
import { VirtpointError } from '../../core/errors.js';
import { iso } from '../../core/iso.js';
import {
  bucketName,
  bwlimit,
  objectPrefix,
  remoteRetention,
  s3Endpoint,
  sshLocation,
  targetName,
} from '../../core/target-input.js';
import type { Catalog } from '../../ports/catalog.js';
import type { Target, TargetConfig } from '../../ports/copies-catalog.js';
import type { Logger } from '../../ports/logger.js';
import type { SecretFiles } from '../../ports/secret-files.js';

/** The names of a target's secret files under <state_dir>/targets/<id>/. */
export const SECRET = {
  s3SecretKey: 's3-secret-key',
  sshIdentity: 'ssh-identity',
  knownHosts: 'known-hosts',
  encryptKey: 'encrypt-key',
} as const;

const MAX_SECRET_BYTES = 64 * 1024;

export interface TargetsDeps {
  readonly catalog: Catalog;
  readonly secrets: SecretFiles;
  readonly log: Logger;
}

export function targetLocation(c: TargetConfig): string {
  if (c.kind === 's3') return `s3://${c.bucket}${c.prefix === '' ? '' : `/${c.prefix}`} at ${c.endpoint}`;
  return `ssh://${c.user}@${c.host}:${c.port}${c.path}`;
}

export class TargetsService {
  constructor(private readonly deps: TargetsDeps) {}

  /**
   * Reads an operator's secret file: a regular file with no group/other permission bits
   * (PERMISSION_DENIED otherwise, naming the chmod), at most 64 KiB, not empty. A public file
   * (`secret` false: known_hosts) may be readable by others but not writable by them.
   */
  async readOperatorSecret(path: string, option: string, secret = true): Promise<Buffer> {
    if (!path.startsWith('/')) {
      throw new VirtpointError('INVALID_ARGUMENT', `${option} must be an absolute path, got ${path}`);
    }
    const s = await this.deps.secrets.stat(path).catch((e: unknown) => {
      if (e instanceof VirtpointError && e.code === 'NOT_FOUND') {
        throw new VirtpointError('INVALID_ARGUMENT', `${option} ${path} does not exist`);
      }
      throw e;
    });
    if (!s.regular) throw new VirtpointError('INVALID_ARGUMENT', `${option} ${path} is not a regular file`);
    if ((s.mode & (secret ? 0o077 : 0o022)) !== 0) {
      const mode = (s.mode & 0o777).toString(8);
      throw new VirtpointError(
        'PERMISSION_DENIED',
        secret
          ? `${option} ${path} is readable by others (mode ${mode}): run 'chmod 600 ${path}'`
          : `${option} ${path} is writable by others (mode ${mode}): run 'chmod 644 ${path}'`,
      );
    }
    const bytes = await this.deps.secrets.read(path, MAX_SECRET_BYTES);
    if (bytes.length === 0) throw new VirtpointError('INVALID_ARGUMENT', `${option} ${path} is empty`);
    return bytes;
  }

  async add(input: TargetAddInput): Promise<TargetView> {
    const { catalog, secrets, log } = this.deps;
    const name = targetName(input.name);
    if ((input.s3 === undefined) === (input.ssh === undefined)) {
      throw new VirtpointError(
        'INVALID_ARGUMENT',
        'give exactly one of --s3 URL or --ssh USER@HOST[:PORT]:/PATH',
      );
    }
    if (catalog.copies.getTarget(name) !== null) {
      throw new VirtpointError(
        'ALREADY_EXISTS',
        `a target named ${name} exists: remove it first or choose another name`,
      );
    }
    const files = new Map<string, Buffer>();
    let config: TargetConfig;
    if (input.s3 !== undefined) {
      const s3 = input.s3;
      if (!/^[A-Za-z0-9+/=_-]{1,128}$/.test(s3.accessKeyId)) {
        throw new VirtpointError('INVALID_ARGUMENT', '--access-key-id: 1–128 letters, digits, + / = _ -');
      }
      config = {
        kind: 's3',
        endpoint: s3Endpoint(s3.url),
        bucket: bucketName(s3.bucket),
        prefix: objectPrefix(s3.prefix ?? ''),
        region: s3.region ?? 'us-east-1',
        accessKeyId: s3.accessKeyId,
      };
      files.set(SECRET.s3SecretKey, await this.readOperatorSecret(s3.secretKeyFile, '--secret-key-file'));
    } else {
      const ssh = input.ssh!;
      config = { kind: 'ssh', ...sshLocation(ssh.url) };
      files.set(SECRET.sshIdentity, await this.readOperatorSecret(ssh.identityFile, '--identity'));
      // Not secret, but what the host key is pinned to: the daemon's own copy, so a later edit
      // of the operator's file cannot redirect copies.
      files.set(SECRET.knownHosts, await this.readOperatorSecret(ssh.knownHostsFile, '--known-hosts', false));
    }
    let kid: string | null = null;
    if (input.encryptKeyFile !== undefined) {
      const key = await this.readOperatorSecret(input.encryptKeyFile, '--encrypt-key-file');
      if (key.length !== KEY_BYTES) {
        throw new VirtpointError(
          'INVALID_ARGUMENT',
          `--encrypt-key-file holds ${key.length} bytes, a key is ${KEY_BYTES}: make one with 'head -c 32 /dev/urandom > FILE'`,
        );
      }
      kid = keyId(key);
      files.set(SECRET.encryptKey, key);
    }
    const target = catalog.copies.addTarget({
      name,
      config,
      keyId: kid,
      bwlimit: input.bwlimit === undefined ? null : bwlimit(input.bwlimit),
      retention: remoteRetention(input.retention ?? 'forever'),
    });
    try {
      for (const [file, bytes] of files) await secrets.keep(target.id, file, bytes);
    } catch (e) {
      catalog.copies.removeTarget(target.id);
      await secrets.forget(target.id).catch(() => undefined);
      throw e;
    }
    log.info({ target: target.name, kind: config.kind, encrypted: kid !== null }, 'target added');
    return this.view(target);
  }

  list(): TargetView[] {
    return this.deps.catalog.copies.listTargets().map((t) => this.view(t));
  }

  show(name: string): TargetView {
    return this.view(this.deps.catalog.copies.requireTarget(name));
  }

  async remove(name: string): Promise<void> {
    const t = this.deps.catalog.copies.requireTarget(name);
    this.deps.catalog.copies.removeTarget(t.id);
    await this.deps.secrets.forget(t.id);
    this.deps.log.info({ target: t.name }, 'target removed (its remote objects are kept)');
  }

  view(t: Target): TargetView {
    const counts = { copying: 0, copied: 0, failed: 0 };
    for (const c of this.deps.catalog.copies.listCopies({ targetId: t.id })) counts[c.state]++;
    const c = t.config;
    return {
      id: t.id,
      name: t.name,
      kind: c.kind,
      location: targetLocation(c),
      s3:
        c.kind === 's3'
          ? {
              url: c.endpoint,
              bucket: c.bucket,
              prefix: c.prefix,
              region: c.region,
              accessKeyId: c.accessKeyId,
            }
          : null,
      ssh: c.kind === 'ssh' ? { user: c.user, host: c.host, port: c.port, path: c.path } : null,
      encryption: t.keyId === null ? null : { cipher: 'aes-256-gcm', keyId: t.keyId },
      bwlimit: t.bwlimit,
      retention: t.retention,
      createdAt: iso(t.createdAt),
      copies: counts,
    };
  }
}
