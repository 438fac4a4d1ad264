import test from 'ava';
import { mkdtemp, open, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { runCommand } from '../../../../src/adapters/process/run-command.js';
import { QemuImg } from '../../../../src/adapters/qemu-img/qemu-img.js';

// The adapter against the real qemu-img (a Debian package setup-host installs): small files only.
const qemuImg = new QemuImg();
const MiB = 1024 * 1024;

async function chain(t: { teardown: (fn: () => Promise<void>) => void }) {
  const dir = await mkdtemp(join(tmpdir(), 'vp-qemu-img-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const base = join(dir, 'vda.0.qcow2');
  const top = join(dir, 'vda.1.qcow2');
  await qemuImg.create(base, { format: 'qcow2', size: 16 * MiB });
  await runCommand(['qemu-io', '-c', 'write -P 0x5a 0 4M', base]);
  await qemuImg.create(top, { format: 'qcow2', size: 16 * MiB, backingFile: 'vda.0.qcow2' });
  await runCommand(['qemu-io', '-c', 'write -P 0x33 1M 1M', top]);
  return { dir, base, top };
}

test('check: a consistent qcow2 is null; a truncated one reports its corruptions', async (t) => {
  const { base, top } = await chain(t);
  t.is(await qemuImg.check(top, 'qcow2'), null);
  t.is(await qemuImg.check(base, 'qcow2'), null);
  await truncate(base, 300 * 1024);
  t.regex((await qemuImg.check(base, 'qcow2')) ?? '', /corruptions/);
});

test('check: a file that is not qcow2 says why; raw has nothing to check', async (t) => {
  const { dir } = await chain(t);
  await writeFile(join(dir, 'junk'), 'not an image');
  t.regex((await qemuImg.check(join(dir, 'junk'), 'qcow2')) ?? '', /not in qcow2 format/);
  t.is(await qemuImg.check(join(dir, 'junk'), 'raw'), null);
});

test('readAll: reads the whole chain into the null driver; a missing backing file is an error', async (t) => {
  const { base, top } = await chain(t);
  t.is(await qemuImg.readAll(top, 'qcow2', 16 * MiB), null);
  await rm(base);
  t.regex((await qemuImg.readAll(top, 'qcow2', 16 * MiB)) ?? '', /vda\.0\.qcow2|backing/i);
});

test('readAll: a flipped byte inside a data cluster is not seen by check or a read (the checksum finds it)', async (t) => {
  const { base } = await chain(t);
  const fh = await open(base, 'r+');
  try {
    const at = 0x50000 + 100; // inside the first data cluster of the 4 MiB written
    const b = Buffer.alloc(1);
    await fh.read(b, 0, 1, at);
    b[0] = b[0]! ^ 1;
    await fh.write(b, 0, 1, at);
  } finally {
    await fh.close();
  }
  t.is(await qemuImg.check(base, 'qcow2'), null);
  t.is(await qemuImg.readAll(base, 'qcow2', 16 * MiB), null);
});

test('info: the qcow2 compat level (v3 = 1.1, v2 = 0.10) for the preflight check; none for raw', async (t) => {
  const { dir, base } = await chain(t);
  t.is((await qemuImg.info(base)).compat, '1.1');
  const v2 = join(dir, 'v2.qcow2');
  await runCommand(['qemu-img', 'create', '-f', 'qcow2', '-o', 'compat=0.10', v2, '1M']);
  t.is((await qemuImg.info(v2)).compat, '0.10');
  const raw = join(dir, 'disk.raw');
  await writeFile(raw, Buffer.alloc(4096));
  t.is((await qemuImg.info(raw)).compat, null);
});

function recording() {
  const calls: string[][] = [];
  const tool = new QemuImg({
    runner: async (argv) => {
      calls.push([...argv]);
      return { code: 0, stdout: Buffer.alloc(0), stderr: '' };
    },
  });
  return { calls, tool };
}

test('create argv: preallocation=metadata for qcow2 when asked; none by default, none for raw', async (t) => {
  const { calls, tool } = recording();
  await tool.create('/s/vda.0.qcow2', { format: 'qcow2', size: 1024, preallocation: 'metadata' });
  await tool.create('/s/vda.1.qcow2', { format: 'qcow2', size: 1024, backingFile: 'vda.0.qcow2' });
  await tool.create('/s/v.raw', { format: 'raw', size: 1024, preallocation: 'metadata' });
  t.deepEqual(calls, [
    ['qemu-img', 'create', '-q', '-f', 'qcow2', '-o', 'preallocation=metadata', '/s/vda.0.qcow2', '1024'],
    ['qemu-img', 'create', '-q', '-f', 'qcow2', '-b', 'vda.0.qcow2', '-F', 'qcow2', '/s/vda.1.qcow2', '1024'],
    ['qemu-img', 'create', '-q', '-f', 'raw', '/s/v.raw', '1024'],
  ]);
});

test('create with preallocation=metadata: a real qcow2 whose metadata is written, its data not', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'vp-qemu-img-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const plain = join(dir, 'plain.qcow2');
  const pre = join(dir, 'pre.qcow2');
  await qemuImg.create(plain, { format: 'qcow2', size: 64 * MiB });
  await qemuImg.create(pre, { format: 'qcow2', size: 64 * MiB, preallocation: 'metadata' });
  t.is(await qemuImg.check(pre, 'qcow2'), null);
  const [a, b] = [await qemuImg.info(plain), await qemuImg.info(pre)];
  t.is(b.virtualSize, 64 * MiB);
  t.true(b.actualSize > a.actualSize); // the L2 tables exist up front
  t.true(b.actualSize < 8 * MiB); // but no data cluster was written
});
