import test from 'ava';
import { sha256FileInImage } from '../../helpers/host-image.js';
import { withTestVm } from '../../helpers/test-vm.js';
import { withEngine } from './backup-harness.js';

// Chains per owner (issue 12 §1) on a real VM: task A, task B and manual backups each keep their
// own chain and checkpoints; A's incremental made after B's and a manual backup's checkpoints
// holds every change since A's previous point (libvirt merges the bitmaps of the later
// checkpoints), so A's point restores exactly the guest's bytes of that moment.

test('A, B, manual, A again: A continues its own chain and its second point restores exactly its instant', async (t) => {
  const vm = await withTestVm(t, { disks: [{ sizeMiB: 64 }] });
  const eng = await withEngine(t);
  const A = { taskId: 'aaaaaaaaaaaa', name: 'task-a' };
  const B = { taskId: 'bbbbbbbbbbbb', name: 'task-b' };
  const write = (file: string, seed: string, size: number) =>
    vm.agent.writeSeededFile(`/mnt/vda/${file}`, seed, size);

  const shaA1 = await write('a1.bin', 'a1', 64 * 1024);
  const a1 = await eng.svc.backup({ domain: vm.name, trigger: 'schedule', owner: A });
  const shaB1 = await write('b1.bin', 'b1', 48 * 1024);
  const b1 = await eng.svc.backup({ domain: vm.name, trigger: 'schedule', owner: B });
  const shaM1 = await write('m1.bin', 'm1', 40 * 1024);
  const shaA1b = await write('a1.bin', 'a1-rewritten', 56 * 1024); // changed after A's and B's points
  const m1 = await eng.svc.backup({ domain: vm.name });
  const shaA2 = await write('a2.bin', 'a2', 32 * 1024);
  const a2 = await eng.svc.backup({ domain: vm.name, trigger: 'schedule', owner: A });
  await write('late.bin', 'late', 16 * 1024); // after A's second point: not in it
  await write('b1.bin', 'b1-late', 24 * 1024);
  const b2 = await eng.svc.backup({ domain: vm.name, trigger: 'schedule', owner: B });

  t.deepEqual(
    [a1, b1, m1].map((p) => p.kind),
    ['full', 'full', 'full'],
    'each owner starts its own chain',
  );
  t.like(a2, { kind: 'incremental', chainId: a1.chainId, seq: 1 });
  t.like(b2, { kind: 'incremental', chainId: b1.chainId, seq: 1 });
  t.is(new Set([a1.chainId, b1.chainId, m1.chainId]).size, 3);
  for (const p of [a1, b1, m1]) t.is(eng.catalog.getChain(p.chainId)?.state, 'open');
  t.deepEqual(
    (await eng.hv.listCheckpoints(vm.uuid)).map((c) => c.name).sort(),
    [a1, a2, b1, b2, m1].map((p) => `vp-${p.chainId}-${p.seq}`).sort(),
    'one checkpoint per point, none of another owner dropped',
  );

  const vol = await eng.volumes.createVolume(
    { pointId: a2.id, disk: 'vda', name: 'a2-vda', dir: eng.volumeDir, format: 'qcow2' },
    {},
  );
  t.is(await sha256FileInImage(vol.path, '/a1.bin'), shaA1b, "A's second point has the rewrite");
  t.not(shaA1, shaA1b);
  t.is(await sha256FileInImage(vol.path, '/b1.bin'), shaB1, 'written before B’s checkpoint');
  t.is(await sha256FileInImage(vol.path, '/m1.bin'), shaM1, 'written before the manual checkpoint');
  t.is(await sha256FileInImage(vol.path, '/a2.bin'), shaA2);
  t.is(await sha256FileInImage(vol.path, '/late.bin'), null, 'written after the point');
  // A's first point still restores its own instant.
  t.is(await sha256FileInImage(eng.file(a1, 'vda'), '/a1.bin'), shaA1);
  t.is(await sha256FileInImage(eng.file(a1, 'vda'), '/b1.bin'), null);
  t.deepEqual(eng.warnings, []);
});
