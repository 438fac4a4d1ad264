import test from 'ava';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createdDirs, nodeFs } from '../../../src/adapters/node-fs.js';

const modeOf = async (p: string) => (await stat(p)).mode & 0o7777;

test('createdDirs: the first created directory and each one below it', (t) => {
  t.deepEqual(createdDirs('/a/b', '/a/b/c/d'), ['/a/b', '/a/b/c', '/a/b/c/d']);
  t.deepEqual(createdDirs('/a/b', '/a/b'), ['/a/b']);
  t.deepEqual(createdDirs('/a/b', '/a/b/c/'), ['/a/b', '/a/b/c']);
});

test('mkdir under umask 077: every directory it creates gets exactly the mode; existing ones keep theirs', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'vp-node-fs-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const old = process.umask(0o077);
  t.teardown(() => void process.umask(old));
  await mkdir(join(dir, 'existing'), { mode: 0o700 });

  await nodeFs.mkdir(join(dir, 'existing', 'state', 'store', 'uuid'), 0o711);
  t.is(await modeOf(join(dir, 'existing')), 0o700, 'an existing parent is not touched');
  for (const p of ['state', 'state/store', 'state/store/uuid']) {
    t.is(await modeOf(join(dir, 'existing', p)), 0o711, p);
  }

  // Again on the existing tree: nothing changes, not even a directory someone narrowed.
  await nodeFs.chmod(join(dir, 'existing', 'state'), 0o700);
  await nodeFs.mkdir(join(dir, 'existing', 'state', 'store'), 0o711);
  t.is(await modeOf(join(dir, 'existing', 'state')), 0o700);
});
