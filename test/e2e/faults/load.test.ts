import test from 'ava';
import type { JobView, PointView } from '../../../src/contract/index.js';
import { withDaemon } from '../../helpers/daemon.js';
import { withTestVm, type TestVm } from '../../helpers/test-vm.js';
import { api, assertInvariants, random, sleep, waitJob } from './trial.js';

// Load: 3 VMs, 30 backups queued at once through the API, while point lists and point deletes
// run concurrently. Every job ends (none stuck), every filesystem-consistent point has its freeze
// window, and the invariants hold.

test('30 backups of 3 VMs queued at once, with concurrent point list and delete calls', async (t) => {
  const vms: TestVm[] = [];
  // One after the other: the harness does not create VMs concurrently.
  for (const i of [0, 1, 2]) vms.push(await withTestVm(t, { label: `load${i}`, disks: [{ sizeMiB: 64 }] }));
  const d = await withDaemon(t);
  for (const [i, vm] of vms.entries())
    await vm.agent.writeSeededFile('/mnt/vda/l.bin', `load-${i}`, 256 * 1024);
  const submitted = await Promise.all(
    Array.from({ length: 30 }, (_, i) =>
      api<JobView>(d, 'POST', '/v1/backups', { domain: vms[i % 3]!.name }),
    ),
  );
  t.is(submitted.length, 30);
  const rng = random(30);
  let stop = false;
  const deletes: string[] = [];
  let lists = 0;
  const churn = (async () => {
    while (!stop) {
      const points = await api<PointView[]>(d, 'GET', '/v1/points');
      lists++;
      const available = points.filter((p) => p.state === 'available' && p.kind === 'incremental');
      if (available.length > 3 && rng() < 0.3) {
        const victim = available[Math.floor(rng() * available.length)]!;
        const r = await d.http('DELETE', `/v1/points/${victim.id}`);
        if (r.status < 300) deletes.push((JSON.parse(r.body) as JobView).id);
      }
      await sleep(150);
    }
  })();
  const t0 = Date.now();
  const ended = await Promise.all(submitted.map((j) => waitJob(d, j.id, 480_000)));
  stop = true;
  await churn;
  const deleteJobs = await Promise.all(deletes.map((id) => waitJob(d, id, 120_000)));
  const states = ended.reduce<Record<string, number>>(
    (m, j) => ({ ...m, [j.state]: (m[j.state] ?? 0) + 1 }),
    {},
  );
  t.log(
    `30 backups in ${Date.now() - t0} ms: ${JSON.stringify(states)}; ${lists} lists, ${deleteJobs.length} deletes (${deleteJobs.filter((j) => j.state === 'succeeded').length} succeeded)`,
  );
  for (const j of ended)
    t.true(j.state === 'succeeded', `backup job ${j.id}: ${j.state} ${JSON.stringify(j.error)}`);
  const points = await api<PointView[]>(d, 'GET', '/v1/points');
  for (const p of points.filter((x) => x.state === 'available' && x.consistency === 'filesystem')) {
    t.true(typeof p.freezeMs === 'number' && p.freezeMs > 0, `point ${p.id} has its freeze window`);
  }
  const windows = points.map((p) => p.freezeMs).filter((x): x is number => typeof x === 'number');
  t.log(`freeze windows: n=${windows.length}, max ${Math.max(...windows)} ms`);
  await assertInvariants(t, d, vms, new Map(), 'load');
});
