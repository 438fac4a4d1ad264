import { open, rm, truncate } from 'node:fs/promises';
import test from 'ava';

import { runCommand } from '../../../src/adapters/process/run-command.js';
import type { ImageView, PointView, VerifyResultView } from '../../../src/contract/index.js';
import { withDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { sha256FileInImage } from '../../helpers/host-image.js';
import { withTestVm, type TestVm } from '../../helpers/test-vm.js';

// Verify on a real VM (docs/verify.md): a chain of 4 points, one byte flipped inside a data
// cluster of point 2's file (qemu-img check alone does not see it) → checksum-mismatch, points
// 2–3 corrupt, point 1 still verifies and restores its bytes, restores from 2–3 are refused and
// the next backup is a full saying why; a deleted file is `missing`, a truncated one
// `size-mismatch`.

async function write(vm: TestVm, name: string): Promise<string> {
  await vm.agent.sh(`dd if=/dev/urandom of=/mnt/vda/${name} bs=64k count=16 2>/dev/null; sync`, 60_000);
  return vm.agent.sha256File(`/mnt/vda/${name}`);
}

async function backup(d: TestDaemon, vm: TestVm, full = false): Promise<PointView> {
  return d.json<PointView>(['backup', vm.name, ...(full ? ['--full'] : [])]);
}

async function verify(d: TestDaemon, id: string, deep = false) {
  const r = await d.cli(['point', 'verify', id, ...(deep ? ['--deep'] : []), '--json']);
  return { code: r.code, result: JSON.parse(r.stdout) as VerifyResultView };
}

/** Host offset of a data cluster the file itself holds (not its backing file), from qemu-img map. */
async function ownDataOffset(file: string): Promise<number> {
  const map = JSON.parse(
    (await runCommand(['qemu-img', 'map', '-U', '--output=json', file])).stdout.toString(),
  ) as {
    depth: number;
    data: boolean;
    offset?: number;
    length: number;
  }[];
  const own = map.find((e) => e.depth === 0 && e.data && e.offset !== undefined && e.length >= 4096);
  if (own?.offset === undefined) throw new Error(`no data cluster of its own in ${file}`);
  return own.offset;
}

async function flipByte(file: string, at: number): Promise<void> {
  const fh = await open(file, 'r+');
  try {
    const b = Buffer.alloc(1);
    await fh.read(b, 0, 1, at);
    b[0] = b[0]! ^ 0x01;
    await fh.write(b, 0, 1, at);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

test('verify: a flipped byte, a deleted file, a truncated file are found; the points before stay restorable', async (t) => {
  const d = await withDaemon(t);
  const vm = await withTestVm(t);
  const sums: string[] = [];
  const ps: PointView[] = [];
  for (let i = 0; i < 4; i++) {
    sums.push(await write(vm, `f${i}.bin`));
    ps.push(await backup(d, vm));
  }
  t.deepEqual(
    ps.map((p) => [p.seq, p.kind]),
    [
      [0, 'full'],
      [1, 'incremental'],
      [2, 'incremental'],
      [3, 'incremental'],
    ],
  );
  t.regex(ps[3]!.disks[0]!.sha256 ?? '', /^[0-9a-f]{64}$/, 'the checksum is recorded at backup');

  const good = await verify(d, ps[3]!.id, true);
  t.is(good.code, 0, JSON.stringify(good.result));
  t.true(good.result.ok);
  t.is(good.result.files.length, 4, 'the point and its three ancestors');

  // One byte inside a data cluster of point 2's own file.
  const file2 = ps[2]!.disks[0]!.path;
  await flipByte(file2, (await ownDataOffset(file2)) + 100);
  const check = await runCommand(['qemu-img', 'check', '-U', file2], { okCodes: [0, 1, 2, 3] });
  t.is(check.code, 0, 'qemu-img check alone finds nothing');
  const bad = await verify(d, ps[3]!.id);
  t.is(bad.code, 1);
  t.false(bad.result.ok);
  t.deepEqual(
    bad.result.files.filter((f) => f.verdict !== 'ok').map((f) => [f.seq, f.verdict]),
    [[2, 'checksum-mismatch']],
  );
  t.deepEqual([...bad.result.corrupt].sort(), [ps[2]!.id, ps[3]!.id].sort());
  const states = await Promise.all(ps.map((p) => d.json<PointView>(['point', 'show', p.id])));
  t.deepEqual(
    states.map((p) => p.state),
    ['available', 'available', 'corrupt', 'corrupt'],
  );
  t.is(states[3]!.verify.state, 'failed');

  // Point 1 still verifies and restores its own bytes.
  t.is((await verify(d, ps[1]!.id)).code, 0);
  const img = await d.json<ImageView>([
    'image',
    'create',
    '--point',
    ps[1]!.id,
    '--disk',
    'vda',
    '--name',
    'p1.qcow2',
  ]);
  t.is(await sha256FileInImage(img.path, '/f0.bin'), sums[0]!);
  t.is(await sha256FileInImage(img.path, '/f1.bin'), sums[1]!);
  t.is(await sha256FileInImage(img.path, '/f2.bin'), null);
  t.is((await d.cli(['image', 'delete', 'p1.qcow2'])).code, 0);

  // Restores from the corrupt points are refused; the next backup starts a new chain.
  const refused = await d.cli([
    'image',
    'create',
    '--point',
    ps[3]!.id,
    '--disk',
    'vda',
    '--name',
    'x.qcow2',
  ]);
  t.is(refused.code, 1);
  t.regex(refused.stderr, /POINT_CORRUPT/);
  const next = await backup(d, vm);
  t.like(next, { kind: 'full', newChainReason: 'previous-point-corrupt' });
  t.not(next.chainId, ps[0]!.chainId);

  // A truncated file and a deleted one, in the new chain.
  const after = await backup(d, vm);
  await truncate(after.disks[0]!.path, 65_536);
  const cut = await verify(d, after.id);
  t.is(cut.code, 1);
  t.deepEqual(
    cut.result.files.filter((f) => f.verdict !== 'ok').map((f) => [f.seq, f.verdict]),
    [[after.seq, 'size-mismatch']],
  );
  await rm(next.disks[0]!.path);
  const gone = await verify(d, next.id);
  t.is(gone.code, 1);
  t.deepEqual(
    gone.result.files.map((f) => f.verdict),
    ['missing'],
  );
});
