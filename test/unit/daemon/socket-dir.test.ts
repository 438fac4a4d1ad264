import test from 'ava';
import { chmod, chown, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isVirtpointError } from '../../../src/core/errors.js';
import { ensureSocketDir, type SocketDirFs } from '../../../src/daemon/socket-dir.js';

/** The real node:fs calls, recording every chmod and chown. */
function recording() {
  const calls: string[] = [];
  const fs: SocketDirFs = {
    mkdir: (p, o) => mkdir(p, o),
    chmod: async (p, m) => {
      calls.push(`chmod ${p} ${m.toString(8)}`);
      await chmod(p, m);
    },
    chown: async (p, u, g) => {
      calls.push(`chown ${p} ${u}:${g}`);
      // Unit tests run without root: keep our own group, the call itself is what is checked.
      await chown(p, -1, process.getgid?.() ?? g);
    },
  };
  return { fs, calls };
}

async function tempDir(t: { teardown: (f: () => Promise<void> | void) => void }) {
  const dir = await mkdtemp(join(tmpdir(), 'vp-socket-dir-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const old = process.umask(0o077); // as in the daemon
  t.teardown(() => void process.umask(old));
  return dir;
}

test('an existing directory is neither chowned nor chmodded (--socket /srv/x.sock)', async (t) => {
  const dir = await tempDir(t);
  await chmod(dir, 0o755);
  const before = await stat(dir);
  const { fs, calls } = recording();
  t.deepEqual(await ensureSocketDir(dir, 1234, fs), { created: false });
  t.deepEqual(calls, []);
  const after = await stat(dir);
  t.deepEqual([after.mode & 0o7777, after.uid, after.gid], [0o755, before.uid, before.gid]);
});

test('a directory it creates gets 0750 and the socket group; parents it creates get 0711', async (t) => {
  const base = await tempDir(t);
  const dir = join(base, 'run', 'virtpoint');
  const { fs, calls } = recording();
  t.deepEqual(await ensureSocketDir(dir, 1234, fs), { created: true });
  t.deepEqual(calls, [`chmod ${join(base, 'run')} 711`, `chmod ${dir} 750`, `chown ${dir} -1:1234`]);
  t.is((await stat(dir)).mode & 0o7777, 0o750, 'exact despite umask 077');
  t.is((await stat(join(base, 'run'))).mode & 0o7777, 0o711);
  t.is((await stat(base)).mode & 0o7777, 0o700, 'the existing parent is untouched');
});

test('no socket group: created 0750, no chown', async (t) => {
  const dir = join(await tempDir(t), 'sock');
  const { fs, calls } = recording();
  t.deepEqual(await ensureSocketDir(dir, undefined, fs), { created: true });
  t.deepEqual(calls, [`chmod ${dir} 750`]);
});

test('a failing chown is a coded error naming the directory, not ignored', async (t) => {
  const dir = join(await tempDir(t), 'sock');
  const { fs } = recording();
  const failing: SocketDirFs = {
    ...fs,
    chown: () =>
      Promise.reject(Object.assign(new Error('EPERM: operation not permitted'), { code: 'EPERM' })),
  };
  const e = await t.throwsAsync(ensureSocketDir(dir, 1234, failing));
  t.true(isVirtpointError(e) && e.code === 'PERMISSION_DENIED');
  t.regex(e?.message ?? '', /socket directory .*sock: EPERM/);
});

test('a path that cannot be created is a coded error', async (t) => {
  const dir = await tempDir(t);
  const e = await t.throwsAsync(
    ensureSocketDir(join(dir, 'x', 'y'), undefined, {
      ...recording().fs,
      mkdir: () => Promise.reject(Object.assign(new Error('ENOTDIR: not a directory'), { code: 'ENOTDIR' })),
    }),
  );
  t.true(isVirtpointError(e) && e.code === 'IO_ERROR');
});
