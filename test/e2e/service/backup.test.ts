import test from 'ava';
import { readFile } from 'node:fs/promises';
import { sha256FileInImage, imageInfo } from '../../helpers/host-image.js';
import { withTestVm } from '../../helpers/test-vm.js';
import { virsh, waitForState } from '../../helpers/virsh.js';
import type { Point } from '../../../src/ports/catalog.js';
import { withEngine } from './backup-harness.js';

// The backup engine on real VMs: every point of every disk flattens to exactly the guest's files
// at that instant.

test('full + 3 incrementals of a 2-disk VM: each point holds exactly the files of its instant', async (t) => {
  const vm = await withTestVm(t, { disks: [{ sizeMiB: 128 }, { sizeMiB: 128 }] });
  const eng = await withEngine(t);
  const written: { disk: string; file: string; sha: string; afterPoint: number }[] = [];
  const points: Point[] = [];
  for (let i = 0; i < 4; i++) {
    for (const disk of ['vda', 'vdb']) {
      const file = `/round-${i}.bin`;
      const sha = await vm.agent.writeSeededFile(`/mnt/${disk}${file}`, `${disk}-${i}`, 96 * 1024 + i * 4096);
      written.push({ disk, file, sha, afterPoint: i });
    }
    // Overwrite an older file too: the point must hold the new content, earlier points the old.
    if (i > 0) {
      const sha = await vm.agent.writeSeededFile('/mnt/vda/round-0.bin', `vda-0-rewrite-${i}`, 64 * 1024);
      written.push({ disk: 'vda', file: '/round-0.bin', sha, afterPoint: i });
    }
    const p = await eng.svc.backup({ domain: vm.name });
    t.is(p.state, 'available');
    t.is(p.consistency, 'filesystem');
    t.log(`point ${p.seq}: freeze window ${p.freezeMs} ms, sizes ${p.disks.map((d) => d.size).join('/')}`);
    points.push(p);
  }
  t.deepEqual(
    points.map((p) => [p.kind, p.seq, p.chainId === points[0]!.chainId]),
    [
      ['full', 0, true],
      ['incremental', 1, true],
      ['incremental', 2, true],
      ['incremental', 3, true],
    ],
  );
  t.is(points[0]!.newChainReason, 'no-chain');
  const inc = await imageInfo(eng.file(points[3]!, 'vda'));
  t.is(inc['backing-filename'], 'vda.2.qcow2', 'relative backing path');

  for (const [seq, p] of points.entries()) {
    for (const disk of ['vda', 'vdb']) {
      const image = eng.file(p, disk);
      const files = new Map<string, string | null>();
      for (const w of written.filter((x) => x.disk === disk)) {
        if (w.afterPoint <= seq) files.set(w.file, w.sha);
        else if (!files.has(w.file)) files.set(w.file, null);
      }
      for (const [file, sha] of files) {
        t.is(await sha256FileInImage(image, file), sha, `point ${seq} ${disk}${file}`);
      }
    }
  }
  // The libvirt checkpoints are ours, one per point, in a chain.
  const cps = await eng.hv.listCheckpoints(vm.uuid);
  t.deepEqual(cps.map((c) => c.name).sort(), points.map((p) => `vp-${p.chainId}-${p.seq}`).sort());
  t.deepEqual(eng.warnings, []);
});

test('chain length 3: the 4th backup opens a new chain (chain-full); a resized disk opens another (disk-resized)', async (t) => {
  const vm = await withTestVm(t, { disks: [{ sizeMiB: 64 }] });
  const eng = await withEngine(t);
  // A checkpoint made by another tool is left alone.
  await virsh(['checkpoint-create-as', vm.name, 'other-tool', '--diskspec', 'vda,checkpoint=bitmap']);
  const ps = [];
  for (let i = 0; i < 4; i++) ps.push(await eng.svc.backup({ domain: vm.uuid, chainLength: 3 }));
  t.is(ps[3]!.kind, 'full');
  t.is(ps[3]!.newChainReason, 'chain-full');
  t.is(eng.catalog.getChain(ps[0]!.chainId)?.state, 'sealed');
  t.deepEqual(
    (await eng.hv.listCheckpoints(vm.uuid)).map((c) => c.name).sort(),
    ['other-tool', `vp-${ps[3]!.chainId}-0`],
    "the sealed chain's checkpoints are gone, the other tool's stays",
  );
  await virsh(['blockresize', vm.name, 'vda', '96M']);
  const sha = await vm.agent.writeSeededFile('/mnt/vda/after-resize.bin', 'resize', 8192);
  const p = await eng.svc.backup({ domain: vm.uuid });
  t.is(p.newChainReason, 'disk-resized');
  t.is(p.disks[0]!.virtualSize, 96 * 1024 * 1024);
  t.is(await sha256FileInImage(eng.file(p, 'vda'), '/after-resize.bin'), sha);
});

test('a VM without guest agent is backed up crash-consistent, with the reason', async (t) => {
  const vm = await withTestVm(t, { agent: false, disks: [{ sizeMiB: 64 }] });
  const eng = await withEngine(t);
  const p = await eng.svc.backup({ domain: vm.name });
  t.is(p.consistency, 'crash');
  t.regex(p.consistencyReason ?? '', /agent/);
  const err = await t.throwsAsync(eng.svc.backup({ domain: vm.name, quiesce: 'required' }));
  t.is((err as { code?: string }).code, 'AGENT_UNAVAILABLE');
});

test('a shut-off VM is backed up offline and stays shut off; QEMU killed with SIGKILL → a new full chain that restores', async (t) => {
  const vm = await withTestVm(t, { disks: [{ sizeMiB: 64 }, { sizeMiB: 64 }] });
  const eng = await withEngine(t);
  const sha1 = await vm.agent.writeSeededFile('/mnt/vdb/one.bin', 'one', 32 * 1024);
  const p0 = await eng.svc.backup({ domain: vm.name });
  await vm.shutdown();
  const p1 = await eng.svc.backup({ domain: vm.name });
  t.is(p1.consistency, 'offline');
  t.is(p1.kind, 'incremental');
  t.is(await vm.state(), 'shut off');
  t.is(await sha256FileInImage(eng.file(p1, 'vdb'), '/one.bin'), sha1);

  await vm.start();
  const sha2 = await vm.agent.writeSeededFile('/mnt/vdb/two.bin', 'two', 32 * 1024);
  const pid = Number((await readFile(`/run/libvirt/qemu/${vm.name}.pid`, 'utf8')).trim());
  process.kill(pid, 'SIGKILL');
  await waitForState(vm.name, 'shut off', 30_000);
  const p2 = await eng.svc.backup({ domain: vm.name });
  t.is(p2.kind, 'full');
  t.not(p2.chainId, p0.chainId);
  t.true(
    ['bitmap-inconsistent', 'bitmap-missing', 'checkpoint-missing'].includes(p2.newChainReason ?? ''),
    `reason ${p2.newChainReason}`,
  );
  t.deepEqual(
    (await eng.hv.listCheckpoints(vm.uuid)).map((c) => c.name),
    [`vp-${p2.chainId}-0`],
  );
  t.is(await sha256FileInImage(eng.file(p2, 'vdb'), '/one.bin'), sha1);
  t.is(await sha256FileInImage(eng.file(p2, 'vdb'), '/two.bin'), sha2);
  // Running again after the kill: the next backup continues the new chain.
  await vm.start();
  const p3 = await eng.svc.backup({ domain: vm.name });
  t.is(p3.chainId, p2.chainId);
  t.is(p3.kind, 'incremental');
});

test('QEMU killed with SIGKILL, VM restarted: the next backup (running) is a new full chain that restores', async (t) => {
  const vm = await withTestVm(t, { disks: [{ sizeMiB: 64 }] });
  const eng = await withEngine(t);
  const sha1 = await vm.agent.writeSeededFile('/mnt/vda/one.bin', 'k-one', 32 * 1024);
  const p0 = await eng.svc.backup({ domain: vm.name });
  const sha2 = await vm.agent.writeSeededFile('/mnt/vda/two.bin', 'k-two', 32 * 1024);
  const pid = Number((await readFile(`/run/libvirt/qemu/${vm.name}.pid`, 'utf8')).trim());
  process.kill(pid, 'SIGKILL');
  await waitForState(vm.name, 'shut off', 30_000);
  await vm.start();
  const p1 = await eng.svc.backup({ domain: vm.name });
  t.log(`after SIGKILL + restart: ${p1.kind} ${p1.newChainReason}`);
  t.is(p1.kind, 'full');
  t.not(p1.chainId, p0.chainId);
  t.true(
    ['bitmap-inconsistent', 'bitmap-missing', 'checkpoint-missing'].includes(p1.newChainReason ?? ''),
    `reason ${p1.newChainReason}`,
  );
  t.is(await sha256FileInImage(eng.file(p1, 'vda'), '/one.bin'), sha1);
  t.is(await sha256FileInImage(eng.file(p1, 'vda'), '/two.bin'), sha2);
});
