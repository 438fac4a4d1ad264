import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import test, { type ExecutionContext } from 'ava';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';

import { S3Target } from '../../../src/adapters/s3/s3-target.js';
import { pinnedKeys } from '../../../src/adapters/ssh/known-hosts.js';
import type { SshSession } from '../../../src/adapters/ssh/ssh-session.js';
import { SshTarget } from '../../../src/adapters/ssh/ssh-target.js';
import { VirtpointError } from '../../../src/core/errors.js';
import type { TargetStore } from '../../../src/ports/target.js';
import { s3Server, sshServer } from '../../helpers/test-servers.js';

// Every TargetStore method on both real servers (scripts/test-servers/): a Ceph RGW and an sshd.

const run = randomBytes(4).toString('hex');
const MiB = 1024 * 1024;

function s3Secrets(): { accessKeyId: string; secretAccessKey: string } {
  const s = s3Server();
  return {
    accessKeyId: readFileSync(s.accessKeyIdFile, 'utf8').trim(),
    secretAccessKey: readFileSync(s.secretKeyFile, 'utf8').trim(),
  };
}

let bucket: string | null = null;
async function s3Bucket(): Promise<string> {
  if (bucket !== null) return bucket;
  const s = s3Server();
  const c = new S3Client({
    endpoint: s.endpoint,
    region: s.region,
    forcePathStyle: true,
    credentials: s3Secrets(),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const name = `vpt-adapters-${run}`;
  await c.send(new CreateBucketCommand({ Bucket: name }));
  c.destroy();
  bucket = name;
  return name;
}

async function s3Store(
  over: { secretAccessKey?: string; endpoint?: string; bucket?: string } = {},
): Promise<S3Target> {
  const s = s3Server();
  return new S3Target({
    endpoint: over.endpoint ?? s.endpoint,
    bucket: over.bucket ?? (await s3Bucket()),
    prefix: `site-${run}`,
    region: s.region,
    ...s3Secrets(),
    ...(over.secretAccessKey === undefined ? {} : { secretAccessKey: over.secretAccessKey }),
    listPageSize: 2,
    rangeSize: 1 * MiB,
    connectTimeoutMs: 3000,
  });
}

function sshStore(over: { knownHosts?: string; identity?: Buffer; port?: number } = {}): SshTarget {
  const s = sshServer();
  const port = over.port ?? s.port;
  return new SshTarget({
    host: s.host,
    port,
    user: s.user,
    privateKey: over.identity ?? readFileSync(s.identityFile),
    pinned: pinnedKeys(over.knownHosts ?? readFileSync(s.knownHostsFile, 'utf8'), s.host, s.port),
    path: `${s.path}/target-${run}`,
    connectTimeoutMs: 5000,
  });
}

async function readAll(r: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

async function code(t: ExecutionContext, p: Promise<unknown>): Promise<string> {
  const e = await t.throwsAsync(p);
  t.true(e instanceof VirtpointError, String(e));
  return (e as VirtpointError).code;
}

const kinds: [string, () => Promise<TargetStore>][] = [
  ['S3', () => s3Store()],
  ['SSH', () => Promise.resolve(sshStore())],
];

for (const [kind, open] of kinds) {
  test(`${kind}: put, get, head, list (paged), delete, missing keys`, async (t) => {
    const store = await open();
    try {
      const a = randomBytes(1000);
      await store.putObject('h/d/c/points/a.json', a);
      await store.putObject('h/d/c/points/b.json', Buffer.from('b'));
      await store.putObject('h/d/c/vda.0.qcow2', Buffer.from('file'));
      await store.putObject('h/x/other', Buffer.from('x'));
      t.deepEqual(await store.getObject('h/d/c/points/a.json', 1000), a);
      t.is(await code(t, store.getObject('h/d/c/points/a.json', 999)), 'TARGET_ERROR');
      const h = await store.head('h/d/c/points/a.json');
      t.is(h?.size, 1000);
      t.true(h?.modifiedAt !== null && Math.abs(h!.modifiedAt! - Date.now()) < 120_000);
      t.is(await store.head('h/d/c/points/none.json'), null);
      t.is(await code(t, store.getObject('h/none', 10)), 'REMOTE_NOT_FOUND');
      t.is(await code(t, store.openRead('h/none')), 'REMOTE_NOT_FOUND');
      t.deepEqual(
        (await store.list('h/d/')).map((o) => [o.key, o.size]),
        [
          ['h/d/c/points/a.json', 1000],
          ['h/d/c/points/b.json', 1],
          ['h/d/c/vda.0.qcow2', 4],
        ],
      );
      t.deepEqual(
        (await store.list('h/d/c/points/')).map((o) => o.key),
        ['h/d/c/points/a.json', 'h/d/c/points/b.json'],
      );
      t.deepEqual(
        (await store.list('h/d/c/vda')).map((o) => o.key),
        ['h/d/c/vda.0.qcow2'],
      );
      t.deepEqual(await store.list('nothing/'), []);
      // A put over an existing key replaces it whole.
      await store.putObject('h/x/other', Buffer.from('replaced'));
      t.is((await store.getObject('h/x/other', 100)).toString(), 'replaced');
      await store.delete('h/d/c/points/b.json');
      await store.delete('h/d/c/points/b.json');
      t.is(await store.head('h/d/c/points/b.json'), null);
    } finally {
      await store.close();
    }
  });

  test(`${kind}: multipart upload, resumable parts, ranged read back, abort`, async (t) => {
    const store = await open();
    try {
      const key = 'h/d/c/vdb.1.qcow2';
      const p1 = randomBytes(5 * MiB);
      const p2 = randomBytes(3 * MiB + 17);
      const id = await store.beginUpload(key);
      const c1 = await store.putPart(key, id, 1, p1);
      t.is(c1.size, p1.length);
      t.is(c1.checksum, kind === 'S3' ? createHash('md5').update(p1).digest('base64') : sha(p1));
      t.is(await store.head(key), null, 'not visible before complete');
      t.deepEqual(
        (await store.listUploads('h/d/')).map((u) => [u.key, u.uploadId]),
        [[key, id]],
      );
      // Another store (as after a restart) continues the same upload.
      const again = await open();
      const c2 = await again.putPart(key, id, 2, p2);
      await again.completeUpload(key, id, [c2, c1]);
      await again.close();
      const whole = Buffer.concat([p1, p2]);
      t.is((await store.head(key))?.size, whole.length);
      t.is(sha(await readAll(await store.openRead(key))), sha(whole));
      t.is(await store.remoteSha256(key), kind === 'SSH' ? sha(whole) : null);
      t.deepEqual(await store.listUploads('h/d/'), []);

      const id2 = await store.beginUpload('h/d/c/vdc.0.qcow2');
      await store.putPart('h/d/c/vdc.0.qcow2', id2, 1, randomBytes(1000));
      t.is((await store.listUploads('h/')).length, 1);
      t.deepEqual(await store.listUploads('zz/'), []);
      await store.abortUpload('h/d/c/vdc.0.qcow2', id2);
      await store.abortUpload('h/d/c/vdc.0.qcow2', id2);
      t.deepEqual(await store.listUploads('h/'), []);
      t.is(await store.head('h/d/c/vdc.0.qcow2'), null);
      t.is(await code(t, store.putPart('h/d/c/vdc.0.qcow2', id2, 2, Buffer.from('x'))), 'TARGET_ERROR');
    } finally {
      await store.close();
    }
  });

  test(`${kind}: an empty object and a one-part upload`, async (t) => {
    const store = await open();
    try {
      await store.putObject('e/empty', Buffer.alloc(0));
      t.is((await store.head('e/empty'))?.size, 0);
      t.is((await readAll(await store.openRead('e/empty'))).length, 0);
      const id = await store.beginUpload('e/one');
      const body = randomBytes(12345);
      await store.completeUpload('e/one', id, [await store.putPart('e/one', id, 1, body)]);
      t.deepEqual(await readAll(await store.openRead('e/one')), body);
    } finally {
      await store.close();
    }
  });
}

test('S3: a part whose bytes change after its Content-MD5 was taken is DATA_CORRUPT (RGW checks it)', async (t) => {
  const store = await s3Store();
  try {
    const key = 'tamper/vda.0.qcow2';
    const id = await store.beginUpload(key);
    store.sdk.middlewareStack.add(
      (next) => (args) => {
        const req = args.request as { body?: unknown };
        if (Buffer.isBuffer(req.body) && req.body.length > 0) {
          const b = Buffer.from(req.body);
          b[0] = b[0]! ^ 0xff;
          req.body = b;
        }
        return next(args);
      },
      { step: 'build', name: 'tamper' },
    );
    t.is(await code(t, store.putPart(key, id, 1, randomBytes(4096))), 'DATA_CORRUPT');
    store.sdk.middlewareStack.remove('tamper');
    await store.abortUpload(key, id);
  } finally {
    await store.close();
  }
});

test('SSH: a part the remote stores differently is DATA_CORRUPT (remote sha256sum) and is removed', async (t) => {
  const store = sshStore();
  try {
    const key = 'tamper/vda.0.qcow2';
    const id = await store.beginUpload(key);
    const session = await (store as unknown as { s(): Promise<SshSession> }).s();
    const write = session.sftp.write.bind(session.sftp);
    session.sftp.write = ((handle: Buffer, buf: Buffer, off: number, len: number, pos: number, cb: never) => {
      const b = Buffer.from(buf.subarray(off, off + len));
      if (pos === 0) b[0] = b[0]! ^ 0xff;
      write(handle, b, 0, len, pos, cb);
    }) as typeof session.sftp.write;
    t.is(await code(t, store.putPart(key, id, 1, randomBytes(100_000))), 'DATA_CORRUPT');
    session.sftp.write = write;
    await store.abortUpload(key, id);
    t.deepEqual(await store.listUploads('tamper/'), []);
  } finally {
    await store.close();
  }
});

test('SSH: a host key other than the pinned one is HOST_KEY_MISMATCH; no entry for the host is refused too', async (t) => {
  const s = sshServer();
  const line = readFileSync(s.knownHostsFile, 'utf8').trim();
  const [host, type, b64] = line.split(/\s+/);
  const key = Buffer.from(b64!, 'base64');
  key[key.length - 1] = key.at(-1)! ^ 0xff;
  const wrong = sshStore({ knownHosts: `${host} ${type} ${key.toString('base64')}\n` });
  t.is(await code(t, wrong.head('x')), 'HOST_KEY_MISMATCH');
  await wrong.close();
  const elsewhere = sshStore({ knownHosts: `[other.example]:${s.port} ${type} ${b64}\n` });
  t.is(await code(t, elsewhere.head('x')), 'HOST_KEY_MISMATCH');
  await elsewhere.close();
  const revoked = sshStore({ knownHosts: `${line}\n@revoked ${host} ${type} ${b64}\n` });
  t.is(await code(t, revoked.head('x')), 'HOST_KEY_MISMATCH');
  await revoked.close();
});

test('SSH: another identity is TARGET_AUTH_FAILED; a closed port is TARGET_UNREACHABLE', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vpt-key-'));
  try {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'k')]);
    const bad = sshStore({ identity: readFileSync(join(dir, 'k')) });
    t.is(await code(t, bad.head('x')), 'TARGET_AUTH_FAILED');
    await bad.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const garbage = sshStore({ identity: Buffer.from('not a key') });
  t.is(await code(t, garbage.head('x')), 'TARGET_AUTH_FAILED');
  await garbage.close();
  const closed = sshStore({ port: 1 });
  t.is(await code(t, closed.head('x')), 'TARGET_UNREACHABLE');
  await closed.close();
});

test('S3: a wrong secret is TARGET_AUTH_FAILED, a missing bucket TARGET_ERROR naming it, no server TARGET_UNREACHABLE', async (t) => {
  const wrong = await s3Store({ secretAccessKey: 'wrong-secret-key-0123456789' });
  const e = await t.throwsAsync(wrong.head('x'));
  t.is((e as VirtpointError).code, 'TARGET_AUTH_FAILED');
  t.false(String((e as Error).message).includes('wrong-secret'));
  await wrong.close();
  const nobucket = await s3Store({ bucket: `vpt-none-${run}` });
  const nb = await t.throwsAsync(nobucket.putObject('x', Buffer.from('x')));
  t.is((nb as VirtpointError).code, 'TARGET_ERROR');
  t.regex((nb as Error).message, /does not exist/);
  await nobucket.close();
  const down = await s3Store({ endpoint: 'http://127.0.0.1:1' });
  t.is(await code(t, down.head('x')), 'TARGET_UNREACHABLE');
  await down.close();
});
