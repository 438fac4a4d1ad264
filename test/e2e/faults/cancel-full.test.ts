import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import type { ChainView, JobView, PointView } from '../../../src/contract/index.js';
import { withDaemon } from '../../helpers/daemon.js';
import { withTestVm, type TestVm } from '../../helpers/test-vm.js';
import { virsh } from '../../helpers/virsh.js';
import { api, assertInvariants, sleep, waitJob, type Expected } from './trial.js';

// Issue 12 §4: a canceled full changes no chain. A full then an incremental make a chain; a
// `--full` backup is canceled while its copy runs (deterministic: QEMU is stopped once the job's
// target file exists, the cancel is sent, QEMU goes on); the job ends canceled naming no point,
// no chain is added or sealed, and the next backup is an incremental in the old chain that
// restores the guest's bytes.

async function dirty(vm: TestVm, name: string, mib: number): Promise<Record<string, string>> {
  await vm.agent.sh(`dd if=/dev/urandom of=/mnt/vda/${name} bs=1M count=${mib} 2>/dev/null; sync`, 180_000);
  return { [`/${name}`]: await vm.agent.sha256File(`/mnt/vda/${name}`) };
}

/** A chain directory of the domain not in `before` that holds vda.0.qcow2 (polled, 60 s at most). */
async function waitForNewChain(dir: string, before: ReadonlySet<string>): Promise<string> {
  for (const end = Date.now() + 60_000; Date.now() < end; await sleep(2)) {
    for (const c of (await readdir(dir)).filter((x) => !before.has(x))) {
      if ((await readdir(join(dir, c)).catch((): string[] => [])).includes('vda.0.qcow2')) return c;
    }
  }
  throw new Error(`no new chain directory in ${dir} within 60 s`);
}

test('a full canceled mid-copy changes no chain; the next backup is an incremental of the old chain', async (t) => {
  const d = await withDaemon(t);
  const vm = await withTestVm(t, { disks: [{ sizeMiB: 512 }] });
  const expected: Expected = new Map();
  const backup = async (body: Record<string, unknown>) =>
    waitJob(d, (await api<JobView>(d, 'POST', '/v1/backups', { domain: vm.name, ...body })).id);

  const c0 = await dirty(vm, 'a.bin', 20);
  const j0 = await backup({});
  t.is(j0.state, 'succeeded', JSON.stringify(j0.error));
  expected.set(j0.pointId!, c0);
  const p0 = await api<PointView>(d, 'GET', `/v1/points/${j0.pointId}`);
  const c1 = await dirty(vm, 'b.bin', 10);
  const j1 = await backup({});
  t.is(j1.state, 'succeeded', JSON.stringify(j1.error));
  expected.set(j1.pointId!, c1);
  const p1 = await api<PointView>(d, 'GET', `/v1/points/${j1.pointId}`);
  t.is(p1.kind, 'incremental');
  t.is(p1.chainId, p0.chainId);

  // The full: canceled while QEMU is stopped after its target file appeared.
  await dirty(vm, 'c.bin', 100);
  const domainDir = join(d.stateDir, 'store', p0.domain);
  const before = new Set(await readdir(domainDir));
  const job = await api<JobView>(d, 'POST', '/v1/backups', { domain: vm.name, full: true });
  const newChain = await waitForNewChain(domainDir, before);
  const qemu = Number((await readFile(`/run/libvirt/qemu/${vm.name}.pid`, 'utf8')).trim());
  process.kill(qemu, 'SIGSTOP');
  try {
    const running = await api<JobView>(d, 'GET', `/v1/jobs/${job.id}`);
    t.is(running.state, 'running');
    t.truthy(running.pointId, 'the running job names its point');
    const pending = await api<ChainView>(d, 'GET', `/v1/chains/${newChain}`);
    t.is(pending.state, 'pending', 'the new chain is pending while its full is made');
    t.is((await api<ChainView>(d, 'GET', `/v1/chains/${p0.chainId}`)).state, 'open');
    await api<JobView>(d, 'POST', `/v1/jobs/${job.id}/cancel`);
  } finally {
    process.kill(qemu, 'SIGCONT');
  }
  const canceled = await waitJob(d, job.id);
  t.is(canceled.state, 'canceled', JSON.stringify(canceled.error));
  t.is(canceled.pointId, null, 'a canceled job names no point');

  const chains = await api<ChainView[]>(d, 'GET', `/v1/chains?domain=${vm.uuid}`);
  t.deepEqual(
    chains.map((c) => [c.id, c.state]),
    [[p0.chainId, 'open']],
    'no chain added, the old one not sealed',
  );
  t.deepEqual(
    (await api<PointView[]>(d, 'GET', `/v1/points?domain=${vm.uuid}`)).map((p) => p.id),
    [p0.id, p1.id],
    'no point left',
  );
  t.false((await readdir(domainDir)).includes(newChain), "the canceled full's directory is gone");
  t.false(
    (await virsh(['checkpoint-list', vm.name, '--name'])).includes(`vp-${newChain}-`),
    "the canceled full's checkpoint is gone",
  );

  // The next backup continues the old chain and restores the guest's bytes.
  const c3 = await dirty(vm, 'd.bin', 10);
  const j3 = await backup({});
  t.is(j3.state, 'succeeded', JSON.stringify(j3.error));
  const p3 = await api<PointView>(d, 'GET', `/v1/points/${j3.pointId}`);
  t.is(p3.kind, 'incremental');
  t.is(p3.chainId, p0.chainId);
  t.is(p3.seq, 2);
  expected.set(p3.id, c3);
  await assertInvariants(t, d, [vm], expected, 'after the canceled full');
});
