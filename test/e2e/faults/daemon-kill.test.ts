import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import type { JobView, PointView, VolumeView } from '../../../src/contract/index.js';
import { withDaemon } from '../../helpers/daemon.js';
import { sha256FileInImage } from '../../helpers/host-image.js';
import { RUN_DIR } from '../../helpers/run-dir.js';
import { withTestVm, type TestVm } from '../../helpers/test-vm.js';
import { api, assertInvariants, random, sleep, waitJob, type Expected } from './trial.js';

// kill -9 of virtpointd at random moments (seeded: VIRTPOINT_FAULT_SEED, default 11) during a
// full, an incremental (96 MiB dirtied), a rollback and a create-volume, VIRTPOINT_FAULT_TRIALS
// (default 4) moments each. After each kill the daemon starts again on the same state dir; the
// job must end in the outcome reconcile established, and the invariants hold (trial.ts).

const SEED = Number(process.env.VIRTPOINT_FAULT_SEED ?? 11);
const TRIALS = Number(process.env.VIRTPOINT_FAULT_TRIALS ?? 4);

async function seed(vm: TestVm, tag: string, bigMiB = 0): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  if (bigMiB > 0) {
    await vm.agent.sh(
      `dd if=/dev/urandom of=/mnt/vda/big.bin bs=1M count=${bigMiB} 2>/dev/null; sync`,
      120_000,
    );
    out['/big.bin'] = await vm.agent.sha256File('/mnt/vda/big.bin');
  }
  out['/s.bin'] = await vm.agent.writeSeededFile('/mnt/vda/s.bin', tag, 64 * 1024);
  return out;
}

test('kill -9 of the daemon during a full, an incremental, a rollback and a create-volume', async (t) => {
  const vm = await withTestVm(t, { disks: [{ sizeMiB: 384 }] });
  const volDir = join(RUN_DIR, `fault-vols-${process.pid}`);
  await mkdir(volDir, { recursive: true });
  t.teardown(() => rm(volDir, { recursive: true, force: true }));
  const d = await withDaemon(t, { config: [`allowed_volume_dirs = ${volDir}`] });
  const rng = random(SEED);
  const expected: Expected = new Map();
  const tally: Record<string, Record<string, number>> = {};
  const count = (kind: string, outcome: string) => {
    tally[kind] ??= {};
    tally[kind]![outcome] = (tally[kind]![outcome] ?? 0) + 1;
  };
  const killAndRestart = async (delayMs: number) => {
    await sleep(delayMs);
    await d.kill('SIGKILL');
    await d.restart();
  };
  const ensureRunning = async () => {
    if ((await vm.state()) !== 'running') await vm.start();
    await vm.agent.waitReady(120_000);
  };
  const goodBackup = async (tag: string) => {
    const content = await seed(vm, tag);
    const j = await waitJob(d, (await api<JobView>(d, 'POST', '/v1/backups', { domain: vm.name })).id);
    t.is(j.state, 'succeeded', JSON.stringify(j.error));
    expected.set(j.pointId!, content);
    return (await api<PointView>(d, 'GET', `/v1/points/${j.pointId}`)) as PointView;
  };

  for (const kind of ['full', 'incremental'] as const) {
    for (let i = 0; i < TRIALS; i++) {
      if (kind === 'incremental') await goodBackup(`base-${i}`);
      const content = await seed(vm, `${kind}-${i}`, 96);
      const job = await api<JobView>(d, 'POST', '/v1/backups', {
        domain: vm.name,
        ...(kind === 'full' ? { full: true } : {}),
      });
      const delay = Math.floor(rng() * 2500);
      await killAndRestart(delay);
      const j = await waitJob(d, job.id);
      count(kind, j.state);
      const p = j.pointId
        ? await api<PointView>(d, 'GET', `/v1/points/${j.pointId}`).catch(() => null)
        : null;
      if (j.state === 'succeeded') {
        t.is(p?.state, 'available', `${kind} #${i} (${delay} ms): succeeded ↔ point available`);
        expected.set(p!.id, content);
      } else {
        t.is(j.state, 'failed');
        t.not(p?.state, 'available', `${kind} #${i} (${delay} ms): failed ↔ no available point`);
      }
      await ensureRunning();
      await assertInvariants(t, d, [vm], expected, `${kind} #${i} killed at ${delay} ms`);
    }
  }

  for (let i = 0; i < TRIALS; i++) {
    const target = await goodBackup(`rollback-target-${i}`);
    const before = await vm.agent.writeSeededFile('/mnt/vda/s.bin', `rollback-current-${i}`, 64 * 1024);
    const job = await api<JobView>(d, 'POST', `/v1/domains/${vm.name}/rollback`, {
      point: target.id,
      shutdownTimeout: 20,
      start: true,
    });
    const delay = Math.floor(rng() * 8000); // a rollback here takes 2.5–8 s: most moments land inside it
    await killAndRestart(delay);
    const j = await waitJob(d, job.id, 240_000);
    count('rollback', j.state);
    await ensureRunning();
    const now = await vm.agent.sha256File('/mnt/vda/s.bin');
    if (j.state === 'succeeded')
      t.is(
        now,
        expected.get(target.id)?.['/s.bin'] ?? target.id,
        `rollback #${i} (${delay} ms): succeeded ↔ the point's bytes`,
      );
    else
      t.is(
        now,
        before,
        `rollback #${i} (${delay} ms): failed ↔ the disk unchanged (${JSON.stringify(j.error)})`,
      );
    await assertInvariants(t, d, [vm], expected, `rollback #${i} killed at ${delay} ms`);
  }

  const source = await goodBackup('volume-source');
  const sourceSha = expected.get(source.id)!['/s.bin']!;
  for (let i = 0; i < TRIALS; i++) {
    const name = `v${i}.qcow2`;
    const job = await api<JobView>(d, 'POST', '/v1/volumes', {
      point: source.id,
      disk: 'vda',
      name,
      dir: volDir,
    });
    const delay = Math.floor(rng() * 1500);
    await killAndRestart(delay);
    const j = await waitJob(d, job.id);
    count('create-volume', j.state);
    const vols = await api<VolumeView[]>(d, 'GET', '/v1/volumes');
    const files = await readdir(volDir);
    t.deepEqual(
      files.filter((f) => f.includes('virtpoint-')),
      [],
      `volume #${i}: no temp file left`,
    );
    if (j.state === 'succeeded') {
      const v = vols.find((x) => x.name === name);
      t.truthy(v, `volume #${i} (${delay} ms): succeeded ↔ recorded`);
      t.is(await sha256FileInImage(join(volDir, name), '/s.bin'), sourceSha);
    } else {
      t.false(files.includes(name), `volume #${i} (${delay} ms): failed ↔ no file`);
    }
    await assertInvariants(t, d, [vm], expected, `create-volume #${i} killed at ${delay} ms`);
  }
  t.log(`seed ${SEED}, ${TRIALS} moments per kind: ${JSON.stringify(tally)}`);
});
