import test from 'ava';

import { SqliteCatalog } from '../../../../src/adapters/sqlite/sqlite-catalog.js';
import { keyId } from '../../../../src/core/encryption.js';
import { VirtpointError } from '../../../../src/core/errors.js';
import type { SecretFiles, SecretFileStat } from '../../../../src/ports/secret-files.js';
import { SECRET, TargetsService } from '../../../../src/service/copies/targets.js';
import { recordingLogger } from '../../../fakes/recording-logger.js';
import { seededBytes } from '../../../helpers/seeded.js';

/** Operator files by path (mode, regular) and the daemon's kept copies by target id. */
class MemorySecrets implements SecretFiles {
  readonly files = new Map<string, { bytes: Buffer; mode: number; regular: boolean }>();
  readonly kept = new Map<string, Map<string, Buffer>>();
  failKeep = false;

  put(path: string, bytes: Buffer | string, mode = 0o600, regular = true): string {
    this.files.set(path, { bytes: Buffer.from(bytes), mode, regular });
    return path;
  }
  async stat(path: string): Promise<SecretFileStat> {
    const f = this.files.get(path);
    if (f === undefined) throw new VirtpointError('NOT_FOUND', `no ${path}`);
    return { regular: f.regular, size: f.bytes.length, mode: f.mode, uid: 0 };
  }
  async read(path: string): Promise<Buffer> {
    return this.files.get(path)!.bytes;
  }
  async keep(id: string, name: string, bytes: Buffer): Promise<void> {
    if (this.failKeep) throw new VirtpointError('NO_SPACE', 'disk full');
    if (!this.kept.has(id)) this.kept.set(id, new Map());
    this.kept.get(id)!.set(name, bytes);
  }
  async load(id: string, name: string): Promise<Buffer> {
    return this.kept.get(id)!.get(name)!;
  }
  async forget(id: string): Promise<void> {
    this.kept.delete(id);
  }
}

const SECRET_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const KEY = seededBytes('target key', 32);

function setup() {
  const catalog = new SqliteCatalog({ path: ':memory:' });
  const secrets = new MemorySecrets();
  const { log, records } = recordingLogger();
  const targets = new TargetsService({ catalog, secrets, log });
  secrets.put('/root/s3-secret', SECRET_KEY);
  secrets.put('/root/key', KEY);
  secrets.put('/root/id_ed25519', '-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n');
  secrets.put('/root/known_hosts', '[127.0.0.1]:2222 ssh-ed25519 AAAA\n', 0o644);
  return { catalog, secrets, records, targets };
}

const s3 = {
  url: 'http://127.0.0.1:7480',
  bucket: 'vp-copies',
  accessKeyId: 'AKIAEXAMPLE',
  secretKeyFile: '/root/s3-secret',
};

test('an S3 target: the secret and the key are kept 0600 by the daemon; no secret in the catalog, the view or the log', async (t) => {
  const { catalog, secrets, records, targets } = setup();
  const view = await targets.add({ name: 'offsite', s3, encryptKeyFile: '/root/key', bwlimit: '50M' });
  t.like(view, {
    name: 'offsite',
    kind: 's3',
    location: 's3://vp-copies at http://127.0.0.1:7480',
    encryption: { cipher: 'aes-256-gcm', keyId: keyId(KEY) },
    bwlimit: 50 * 1024 * 1024,
    retention: 'forever',
  });
  t.deepEqual(secrets.kept.get(view.id)!.get(SECRET.s3SecretKey), Buffer.from(SECRET_KEY));
  t.deepEqual(secrets.kept.get(view.id)!.get(SECRET.encryptKey), KEY);
  const everything = [
    JSON.stringify(catalog.db.prepare('SELECT * FROM targets').all()),
    JSON.stringify(view),
    JSON.stringify(records),
    JSON.stringify(targets.list()),
  ].join('\n');
  t.false(everything.includes(SECRET_KEY));
  t.false(everything.includes(KEY.toString('hex')));
  t.false(everything.includes('/root/s3-secret'), 'not even the path of the operator file');
});

test('an SSH target: identity and known_hosts kept; the view shows user, host, port, path', async (t) => {
  const { secrets, targets } = setup();
  const view = await targets.add({
    name: 'nas',
    ssh: {
      url: 'vp@127.0.0.1:2222:/srv/vp',
      identityFile: '/root/id_ed25519',
      knownHostsFile: '/root/known_hosts',
    },
  });
  t.deepEqual(view.ssh, { user: 'vp', host: '127.0.0.1', port: 2222, path: '/srv/vp' });
  t.is(view.encryption, null);
  t.deepEqual([...secrets.kept.get(view.id)!.keys()].sort(), [SECRET.knownHosts, SECRET.sshIdentity].sort());
  secrets.put('/root/kh-open', 'x', 0o666);
  await t.throwsAsync(
    targets.add({
      name: 'nas2',
      ssh: { url: 'vp@h:/d', identityFile: '/root/id_ed25519', knownHostsFile: '/root/kh-open' },
    }),
    { code: 'PERMISSION_DENIED', message: /writable by others/ },
  );
});

test('a secret file readable by others, a symlink, a missing file or a short key: refused, nothing recorded', async (t) => {
  const { catalog, secrets, targets } = setup();
  secrets.put('/root/open', SECRET_KEY, 0o640);
  secrets.put('/root/link', SECRET_KEY, 0o600, false);
  secrets.put('/root/short', Buffer.alloc(16));
  await t.throwsAsync(targets.add({ name: 'a', s3: { ...s3, secretKeyFile: '/root/open' } }), {
    code: 'PERMISSION_DENIED',
    message: /chmod 600 \/root\/open/,
  });
  await t.throwsAsync(targets.add({ name: 'a', s3: { ...s3, secretKeyFile: '/root/link' } }), {
    code: 'INVALID_ARGUMENT',
    message: /not a regular file/,
  });
  await t.throwsAsync(targets.add({ name: 'a', s3: { ...s3, secretKeyFile: '/root/none' } }), {
    code: 'INVALID_ARGUMENT',
    message: /does not exist/,
  });
  await t.throwsAsync(targets.add({ name: 'a', s3, encryptKeyFile: '/root/short' }), {
    code: 'INVALID_ARGUMENT',
    message: /16 bytes.*head -c 32/,
  });
  await t.throwsAsync(targets.add({ name: 'a', s3: { ...s3, secretKeyFile: 'relative' } }), {
    code: 'INVALID_ARGUMENT',
  });
  await t.throwsAsync(targets.add({ name: 'a' }), { code: 'INVALID_ARGUMENT', message: /exactly one/ });
  t.is(catalog.copies.listTargets().length, 0);
  t.is(secrets.kept.size, 0);
});

test('a failed keep leaves no target; a taken name is refused; remove forgets the kept secrets', async (t) => {
  const { catalog, secrets, targets } = setup();
  secrets.failKeep = true;
  await t.throwsAsync(targets.add({ name: 'offsite', s3 }), { code: 'NO_SPACE' });
  t.is(catalog.copies.listTargets().length, 0);
  secrets.failKeep = false;
  const view = await targets.add({ name: 'offsite', s3 });
  await t.throwsAsync(targets.add({ name: 'offsite', s3 }), { code: 'ALREADY_EXISTS' });
  t.is(targets.show('offsite').id, view.id);
  await targets.remove('offsite');
  t.false(secrets.kept.has(view.id));
  t.throws(() => targets.show('offsite'), { code: 'TARGET_NOT_FOUND' });
});
