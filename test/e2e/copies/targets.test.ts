import { randomBytes } from 'node:crypto';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';

import type { TargetView } from '../../../src/contract/index.js';
import { withDaemon } from '../../helpers/daemon.js';
import { RUN_DIR } from '../../helpers/run-dir.js';
import { s3Server, sshServer } from '../../helpers/test-servers.js';

// target add against the real test servers' coordinates, through a real virtpointd: the
// secrets end up as the daemon's 0600 copies and nowhere else (catalog, answers, log).

test('target add/show/list/remove for S3 (encrypted) and SSH: secrets kept 0600 by the daemon, never shown', async (t) => {
  const s3 = s3Server();
  const ssh = sshServer();
  const d = await withDaemon(t);
  const key = randomBytes(32);
  const keyFile = join(RUN_DIR, `key-${process.pid}`);
  await writeFile(keyFile, key, { mode: 0o600 });
  const secret = (await readFile(s3.secretKeyFile, 'utf8')).trim();

  const added = await d.json<TargetView>([
    'target',
    'add',
    'offsite',
    '--s3',
    s3.endpoint,
    '--bucket',
    'vpt-targets',
    '--access-key-id',
    (await readFile(s3.accessKeyIdFile, 'utf8')).trim(),
    '--secret-key-file',
    s3.secretKeyFile,
    '--encrypt-key-file',
    keyFile,
  ]);
  t.is(added.kind, 's3');
  t.not(added.encryption, null);
  await d.json([
    'target',
    'add',
    'nas',
    '--ssh',
    `${ssh.user}@${ssh.host}:${ssh.port}:${ssh.path}`,
    '--identity',
    ssh.identityFile,
    '--known-hosts',
    ssh.knownHostsFile,
  ]);

  const dir = join(d.stateDir, 'targets', added.id);
  t.is((await stat(dir)).mode & 0o777, 0o700);
  for (const f of ['s3-secret-key', 'encrypt-key']) t.is((await stat(join(dir, f))).mode & 0o777, 0o600, f);
  t.deepEqual(await readFile(join(dir, 'encrypt-key')), key);

  const listed = await d.json<TargetView[]>(['target', 'list']);
  t.deepEqual(
    listed.map((x) => x.name),
    ['nas', 'offsite'],
  );
  const shown = (await d.cli(['target', 'show', 'offsite'])).stdout;
  const catalog = await readFile(join(d.stateDir, 'catalog.db')).catch(() => Buffer.alloc(0));
  for (const text of [JSON.stringify(listed), shown, d.log(), catalog.toString('latin1')]) {
    t.false(text.includes(secret), 'the S3 secret key is nowhere');
    t.false(text.includes(key.toString('hex')) || text.includes(key.toString('base64')), 'nor the key');
  }

  // A secret file others can read is refused with the chmod to run.
  await chmod(keyFile, 0o644);
  const refused = await d.cli([
    'target',
    'add',
    'open',
    '--ssh',
    'u@h:/d',
    '--identity',
    keyFile,
    '--known-hosts',
    ssh.knownHostsFile,
  ]);
  t.is(refused.code, 1);
  t.regex(refused.stderr, /chmod 600/);

  t.is((await d.cli(['target', 'remove', 'offsite'])).code, 0);
  await t.throwsAsync(stat(dir));
  t.regex((await d.cli(['target', 'show', 'offsite'])).stderr, /TARGET_NOT_FOUND/);
});
