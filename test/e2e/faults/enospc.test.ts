import { readdir, readFile, rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import test from 'ava';
import { runCommand } from '../../../src/adapters/process/run-command.js';
import type { JobView, PointView } from '../../../src/contract/index.js';
import { withDaemon } from '../../helpers/daemon.js';
import { RUN_DIR } from '../../helpers/run-dir.js';
import { withTestVm, type TestVm } from '../../helpers/test-vm.js';
import { api, assertInvariants, waitJob, type Expected } from './trial.js';

// The store on a small loop-mounted ext4 (300 MiB): a full that does not fit and an incremental
// whose changes do not fit are refused up front (NO_SPACE); an incremental that runs out in the
// middle of the copy (QEMU stopped after the space check, the filesystem filled, QEMU resumed) fails as NO_SPACE and leaves
// the catalog, the chain and the other points intact; the catalog still opens.

async function dirty(vm: TestVm, name: string, mib: number): Promise<Record<string, string>> {
  await vm.agent.sh(`dd if=/dev/urandom of=/mnt/vda/${name} bs=1M count=${mib} 2>/dev/null; sync`, 180_000);
  return { [`/${name}`]: await vm.agent.sha256File(`/mnt/vda/${name}`) };
}

/** The first file in `dir` matching `re` that was not in `before` (polled every 2 ms, 60 s at most). */
async function waitForNewFile(dir: string, before: ReadonlySet<string>, re: RegExp): Promise<string> {
  for (const end = Date.now() + 60_000; Date.now() < end; await sleep(2)) {
    const added = (await readdir(dir)).find((f) => re.test(f) && !before.has(f));
    if (added !== undefined) return added;
  }
  throw new Error(`no new file in ${dir} within 60 s`);
}

async function freeBytes(dir: string): Promise<number> {
  const r = await runCommand(['df', '--output=avail', '-B1', dir]);
  return Number(r.stdout.toString().trim().split('\n').at(-1));
}

test('ENOSPC: refused up front when it cannot fit; out of space mid-copy fails cleanly', async (t) => {
  const d = await withDaemon(t);
  const store = join(d.stateDir, 'store');
  const image = join(RUN_DIR, `enospc-${process.pid}.img`);
  await runCommand(['truncate', '-s', '300M', image]);
  await runCommand(['mkfs.ext4', '-q', '-F', '-m', '0', image], { timeoutMs: 60_000 });
  const loop = (await runCommand(['losetup', '--find', '--show', image])).stdout.toString().trim();
  await runCommand(['mount', loop, store]);
  await runCommand(['chmod', '0711', store]);
  const filler = join(store, 'filler.tmp');
  t.teardown(async () => {
    await rm(filler, { force: true });
    await runCommand(['umount', store]).catch(() => runCommand(['umount', '-l', store]));
    await runCommand(['losetup', '-d', loop]).catch(() => undefined);
    await rm(image, { force: true });
  });
  // The VM starts after the mount: QEMU's mount namespace (libvirt) is a copy made at its start.
  const vm = await withTestVm(t, { disks: [{ sizeMiB: 512 }] });
  const expected: Expected = new Map();
  const backup = async (body: Record<string, unknown>) =>
    waitJob(d, (await api<JobView>(d, 'POST', '/v1/backups', { domain: vm.name, ...body })).id);

  const c0 = await dirty(vm, 'a.bin', 130);
  const j0 = await backup({});
  t.is(j0.state, 'succeeded', JSON.stringify(j0.error));
  expected.set(j0.pointId!, c0);
  const p0 = await api<PointView>(d, 'GET', `/v1/points/${j0.pointId}`);
  t.log(`after the full: ${await freeBytes(store)} bytes free`);

  // A full that does not fit: refused before anything is written.
  const full = await backup({ full: true });
  t.is(full.state, 'failed');
  t.is(full.error?.code, 'NO_SPACE', JSON.stringify(full.error));
  t.is(full.pointId, null, 'no point made');

  // An incremental that fits; then one that fits the estimate while the test fills the
  // filesystem during its copy.
  const c1 = await dirty(vm, 'c.bin', 30);
  const j1 = await backup({});
  t.is(j1.state, 'succeeded', JSON.stringify(j1.error));
  expected.set(j1.pointId!, c1);
  await dirty(vm, 'd.bin', 40);
  // Deterministic "full in the middle": once the job has passed its space check and created its
  // target file, QEMU (this test's VM) is stopped before it copies a byte, the filesystem is
  // filled, and QEMU goes on: its copy then hits ENOSPC.
  // A guest that keeps rewriting d.bin (dirty since j1, so in the job's bitmap): QEMU's
  // copy-before-write must copy those blocks into the full store first, fails, and the disk's
  // error policy pauses the VM. The daemon must resume it once its failed job has ended.
  await vm.agent.sh(
    "sh -c 'echo $$ >/tmp/writer.pid; while [ ! -e /tmp/stop-writer ]; do dd if=/dev/zero of=/mnt/vda/d.bin bs=64k count=640 conv=notrunc,fsync 2>/dev/null; done' </dev/null >/dev/null 2>&1 &",
  );
  const chainDir = join(store, p0.domain, p0.chainId);
  const before = new Set(await readdir(chainDir));
  const job = await api<JobView>(d, 'POST', '/v1/backups', { domain: vm.name });
  const target = await waitForNewFile(chainDir, before, /^vda\.\d+\.qcow2$/);
  const qemu = Number((await readFile(`/run/libvirt/qemu/${vm.name}.pid`, 'utf8')).trim());
  process.kill(qemu, 'SIGSTOP');
  try {
    await runCommand(['dd', 'if=/dev/zero', `of=${filler}`, 'bs=1M'], { timeoutMs: 60_000 }).catch(
      () => undefined, // dd stops at ENOSPC
    );
    t.log(`target ${target} created; filled: ${await freeBytes(store)} bytes free`);
  } finally {
    process.kill(qemu, 'SIGCONT');
  }
  const mid = await waitJob(d, job.id);
  await rm(filler, { force: true });
  t.log(`mid-copy: ${JSON.stringify(mid.error)}`);
  t.is(mid.state, 'failed');
  t.is(mid.error?.code, 'NO_SPACE', JSON.stringify(mid.error));
  t.is(await vm.state(), 'running', 'the failed backup leaves its VM running');
  t.log(
    /paused by QEMU/.test(d.log())
      ? 'the guest was paused by the failed copy-before-write; the daemon resumed it'
      : 'the guest was not paused this time',
  );
  await vm.agent.sh(
    'touch /tmp/stop-writer; while kill -0 "$(cat /tmp/writer.pid)" 2>/dev/null; do sleep 0.2; done; sync',
    60_000,
  );
  const chain = (await api<PointView[]>(d, 'GET', `/v1/points?chain=${p0.chainId}`)).filter(
    (p) => p.state === 'available',
  );
  t.deepEqual(chain.map((p) => p.id).sort(), [p0.id, j1.pointId!].sort(), 'the other points are intact');
  t.is((await api<{ state: string }>(d, 'GET', `/v1/chains/${p0.chainId}`)).state, 'open');
  await assertInvariants(t, d, [vm], new Map(expected), 'after ENOSPC mid-copy');

  // An incremental whose changes do not fit: refused up front, no point, no seq used.
  const points = (await api<PointView[]>(d, 'GET', '/v1/points')).map((p) => p.id);
  await dirty(vm, 'b.bin', 200);
  const big = await backup({});
  t.is(big.error?.code, 'NO_SPACE', JSON.stringify(big.error));
  t.regex(big.error?.message ?? '', /bytes changed since checkpoint/);
  t.is(big.pointId, null);
  t.deepEqual(
    (await api<PointView[]>(d, 'GET', '/v1/points')).map((p) => p.id),
    points,
  );

  // The catalog still opens after a restart, every point as it was.
  await d.kill('SIGTERM');
  await d.restart();
  t.deepEqual(
    (await api<PointView[]>(d, 'GET', '/v1/points')).map((p) => p.id),
    points,
  );
  await assertInvariants(t, d, [vm], expected, 'after ENOSPC, restarted');
});
