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

test('checksumFile: the length and sha256 of the bytes, across read chunks; NOT_FOUND when missing', async (t) => {
  const { createHash, randomBytes } = await import('node:crypto');
  const { writeFile } = await import('node:fs/promises');
  const dir = await mkdtemp(join(tmpdir(), 'vp-node-fs-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const data = randomBytes(3 * 1024 * 1024 + 17); // more than one 1 MiB chunk
  await writeFile(join(dir, 'f'), data);
  t.deepEqual(await nodeFs.checksumFile(join(dir, 'f')), {
    size: data.length,
    sha256: createHash('sha256').update(data).digest('hex'),
  });
  await writeFile(join(dir, 'empty'), '');
  t.deepEqual(await nodeFs.checksumFile(join(dir, 'empty')), {
    size: 0,
    sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  });
  await t.throwsAsync(nodeFs.checksumFile(join(dir, 'gone')), { code: 'NOT_FOUND' });
  const ac = new AbortController();
  ac.abort();
  await t.throwsAsync(nodeFs.checksumFile(join(dir, 'f'), ac.signal), { code: 'JOB_CANCELED' });
});
