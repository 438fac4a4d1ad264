import test, { type ExecutionContext } from 'ava';
import { chmod, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobView, PointView, TaskRunView } from '../../../src/contract/index.js';
import { withDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { sha256FileInImage } from '../../helpers/host-image.js';
import { withTestVm } from '../../helpers/test-vm.js';

// The scheduler in a daemon the test starts, driven by its test-only clock
// (VIRTPOINT_TEST_CLOCK=1: POST /v1/test/clock sets the scheduler's now and ticks at once).
// Backups, points and jobs keep real time; only the scheduler's view of time moves.

process.env.VIRTPOINT_TEST_CLOCK = '1';

const HOUR = 3_600_000;
const EVERY_HOUR = Array.from({ length: 24 }, (_, h) => `${String(h).padStart(2, '0')}:00`).join(',');

/** 00:30 local, two days from now: far from real time, so no real fire instant interferes. */
function baseInstant(): number {
  const d = new Date();
  d.setDate(d.getDate() + 2);
  d.setHours(0, 30, 0, 0);
  return d.getTime();
}

async function setClock(d: TestDaemon, ms: number): Promise<{ runs: { id: string; outcome: string }[] }> {
  const r = await d.http('POST', '/v1/test/clock', JSON.stringify({ now: new Date(ms).toISOString() }));
  if (r.status !== 200) throw new Error(`test clock: ${r.status} ${r.body}`);
  return JSON.parse(r.body) as { runs: { id: string; outcome: string }[] };
}

/** The run's record once it has ended (and, when asked, its notifications are recorded). */
async function runEnded(d: TestDaemon, task: string, id: string, notifications = 0): Promise<TaskRunView> {
  const deadline = Date.now() + 150_000;
  for (;;) {
    const runs = await d.json<TaskRunView[]>(['task', 'history', task]);
    const run = runs.find((r) => r.id === id);
    if (run && run.outcome !== 'running' && run.notifications.length >= notifications) return run;
    if (Date.now() > deadline) throw new Error(`run ${id} of ${task} did not end: ${JSON.stringify(run)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Advances the clock to `ms` (one fire instant passed) and waits for the run it started. */
async function fireOnce(t: ExecutionContext, d: TestDaemon, task: string, ms: number): Promise<TaskRunView> {
  const started = Date.now();
  const tick = await setClock(d, ms);
  t.is(tick.runs.length, 1, JSON.stringify(tick));
  const run = await runEnded(d, task, tick.runs[0]!.id);
  t.log(`${new Date(ms).toISOString()}: run ${run.outcome} in ${Date.now() - started} ms`);
  return run;
}

test('hourly policy, count:3 over chains of 2: the 3 newest automatic points remain, each restores its bytes', async (t) => {
  const vm = await withTestVm(t, { disks: [{ sizeMiB: 64 }] });
  const d = await withDaemon(t);
  const t0 = baseInstant();
  await setClock(d, t0);
  await d.json(['policy', 'create', 'hourly', '--every-days', '1', '--at', EVERY_HOUR]);
  await d.json([
    'task',
    'create',
    'keep3',
    '--domain',
    vm.name,
    '--policy',
    'hourly',
    '--chain-length',
    '2',
    '--retain',
    'count:3',
  ]);
  const written: { file: string; sha: string }[] = [];
  const pointOfRun: string[] = [];
  for (let i = 1; i <= 6; i++) {
    const file = `/run-${i}.bin`;
    written.push({
      file,
      sha: await vm.agent.writeSeededFile(`/mnt/vda${file}`, `keep3-${i}`, 48 * 1024 + i * 512),
    });
    const run = await fireOnce(t, d, 'keep3', t0 + i * HOUR);
    t.is(run.outcome, 'succeeded');
    t.is(run.trigger, 'schedule');
    pointOfRun.push(run.resources[0]!.pointId!);
  }
  const points = await d.json<PointView[]>(['point', 'list', '--domain', vm.name]);
  t.deepEqual(
    points.map((p) => p.id).sort(),
    pointOfRun.slice(3).sort(),
    'exactly the 3 newest automatic points remain',
  );
  t.true(points.every((p) => p.name.startsWith('autobk_') && p.state === 'available'));
  const synthetic = points.find((p) => p.id === pointOfRun[3]);
  t.is(synthetic?.kind, 'full', 'run 4 made an incremental that became the synthetic full of its chain');
  for (const p of points) {
    const idx = pointOfRun.indexOf(p.id);
    for (const [j, w] of written.entries()) {
      t.is(
        await sha256FileInImage(p.disks[0]!.path, w.file),
        j <= idx ? w.sha : null,
        `run ${idx + 1} ${w.file}`,
      );
    }
  }
  const cleanups = await d.json<JobView[]>(['job', 'list', '--type', 'cleanup']);
  t.true(cleanups.length >= 6 && cleanups.every((j) => j.trigger === 'retention' && j.state === 'succeeded'));
  const task = await d.json<{ runCount: number }>(['task', 'show', 'keep3']);
  t.is(task.runCount, 6);
});

test('chains:1: the oldest automatic chain goes before a new one starts; a manual chain stays', async (t) => {
  const vm = await withTestVm(t, { disks: [{ sizeMiB: 64 }] });
  const d = await withDaemon(t);
  const t0 = baseInstant();
  await setClock(d, t0);
  const manual = await d.json<PointView>(['backup', vm.name, '--full']);
  await d.json(['policy', 'create', 'hourly', '--every-days', '1', '--at', EVERY_HOUR]);
  await d.json([
    'task',
    'create',
    'one',
    '--domain',
    vm.name,
    '--policy',
    'hourly',
    '--chain-length',
    '2',
    '--retain',
    'chains:1',
  ]);
  const runs: TaskRunView[] = [];
  for (let i = 1; i <= 4; i++) runs.push(await fireOnce(t, d, 'one', t0 + i * HOUR));
  t.true(runs.every((r) => r.outcome === 'succeeded'));
  const pointIds = runs.map((r) => r.resources[0]!.pointId!);
  const points = await d.json<PointView[]>(['point', 'list', '--domain', vm.name]);
  // The task has its own chains (the manual chain is not its): runs 1–2 made chain A, run 3 had
  // to open chain B: A went first; run 4 continued B.
  t.deepEqual(points.map((p) => p.id).sort(), [manual.id, pointIds[2]!, pointIds[3]!].sort());
  t.is(points.find((p) => p.id === manual.id)?.state, 'available');
  t.is(points.find((p) => p.id === manual.id)?.owner, 'manual');
  t.is(points.find((p) => p.id === pointIds[2])?.kind, 'full');
  t.is(points.find((p) => p.id === pointIds[3])?.owner, 'one');
  const jobs = await d.json<JobView[]>(['job', 'list']);
  const b3 = jobs.find((j) => j.type === 'backup' && j.pointId === pointIds[2]);
  type Cleanup = { mode: string; deleted: string[] };
  const pre = jobs.filter(
    (j) => j.type === 'cleanup' && (j.result as Cleanup | null)?.mode === 'before-new-chain',
  );
  t.is(pre.length, 2, 'runs 1 and 3 opened a new chain');
  const dropped = pre.filter((j) => (j.result as Cleanup).deleted.length > 0);
  t.is(dropped.length, 1);
  t.true(Date.parse(dropped[0]!.endedAt!) <= Date.parse(b3!.startedAt!), 'chain A went before run 3 began');
  t.deepEqual((dropped[0]!.result as Cleanup).deleted.sort(), [pointIds[0]!, pointIds[1]!].sort());
});

test('notifications reach a local HTTP server and an exec hook; results are recorded on the run', async (t) => {
  const vm = await withTestVm(t, { disks: [{ sizeMiB: 64 }] });
  const d = await withDaemon(t);
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      bodies.push(body);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const port = (server.address() as AddressInfo).port;
  const dir = await mkdtemp(join(tmpdir(), 'vp-hook-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const hook = join(dir, 'hook.sh');
  await writeFile(hook, `#!/bin/sh\ncat > '${dir}/payload.json'\necho "$VIRTPOINT_EVENT" > '${dir}/event'\n`);
  await chmod(hook, 0o755);

  const t0 = baseInstant();
  await setClock(d, t0);
  await d.json(['policy', 'create', 'hourly', '--every-days', '1', '--at', EVERY_HOUR]);
  await d.json([
    'task',
    'create',
    'told',
    '--domain',
    vm.name,
    '--policy',
    'hourly',
    '--notify',
    `webhook:http://127.0.0.1:${port}/hook`,
    '--notify',
    `exec:${hook}`,
    '--notify',
    'journal',
    '--verify-after',
  ]);
  const tick = await setClock(d, t0 + HOUR);
  const run = await runEnded(d, 'told', tick.runs[0]!.id, 3);
  t.is(run.outcome, 'succeeded');
  t.is(run.resources[0]?.verify?.state, 'ok', 'verify-after checked the new point');
  t.deepEqual(
    run.notifications.map((n) => [n.receiver, n.ok]),
    [
      [`webhook:http://127.0.0.1:${port}/hook`, true],
      [`exec:${hook}`, true],
      ['journal', true],
    ],
  );
  t.is(bodies.length, 1);
  const viaHttp = JSON.parse(bodies[0]!) as {
    run: { id: string; outcome: string };
    task: { name: string };
    resources: { pointId: string }[];
  };
  t.is(viaHttp.run.id, run.id);
  t.is(viaHttp.task.name, 'told');
  t.is(viaHttp.run.outcome, 'succeeded');
  t.is(viaHttp.resources[0]?.pointId, run.resources[0]?.pointId);
  const viaExec = JSON.parse(await readFile(join(dir, 'payload.json'), 'utf8')) as typeof viaHttp;
  t.deepEqual(viaExec, viaHttp);
  t.is((await readFile(join(dir, 'event'), 'utf8')).trim(), 'task-run');
  t.regex(d.log(), /"event":"task-run"/);

  // A verify by hand that fails on the task's point: a `verify` event to the task's receivers.
  const point = await d.json<PointView>(['point', 'show', run.resources[0]!.pointId!]);
  await truncate(point.disks[0]!.path, 65536);
  t.is((await d.cli(['point', 'verify', point.id])).code, 1);
  for (let i = 0; i < 100 && bodies.length < 2; i++) await new Promise((r) => setTimeout(r, 100));
  const told = JSON.parse(bodies[1] ?? '{}') as {
    event?: string;
    point?: { id: string };
    verify?: { trigger: string };
  };
  t.is(told.event, 'verify');
  t.is(told.point?.id, point.id);
  t.is(told.verify?.trigger, 'manual');
  for (let i = 0; i < 50; i++) {
    if ((await readFile(join(dir, 'event'), 'utf8')).trim() === 'verify') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  t.is((await readFile(join(dir, 'event'), 'utf8')).trim(), 'verify');
});

test('a scheduled run is skipped while a manual backup of the same domain runs', async (t) => {
  const vm = await withTestVm(t, { disks: [{ sizeMiB: 768 }] });
  const started = Date.now();
  await vm.agent.sh('dd if=/dev/urandom of=/mnt/vda/big.bin bs=1M count=500 2>/dev/null && sync', 170_000);
  t.log(`500 MB written in the guest in ${Date.now() - started} ms`);
  const d = await withDaemon(t);
  const t0 = baseInstant();
  await setClock(d, t0);
  await d.json(['policy', 'create', 'hourly', '--every-days', '1', '--at', EVERY_HOUR]);
  await d.json(['task', 'create', 'busy', '--domain', vm.name, '--policy', 'hourly']);
  const job = await d.json<JobView>(['backup', vm.name, '--no-wait']);
  const tick = await setClock(d, t0 + HOUR);
  t.deepEqual(
    tick.runs.map((r) => r.outcome),
    ['skipped'],
  );
  const state = (await d.json<JobView>(['job', 'show', job.id])).state;
  t.true(state === 'queued' || state === 'running', `the manual backup is still ${state}`);
  const run = (await d.json<TaskRunView[]>(['task', 'history', 'busy']))[0]!;
  t.is(run.outcome, 'skipped');
  t.is(run.resources[0]?.outcome, 'skipped');
  t.is((await d.json<{ runCount: number }>(['task', 'show', 'busy'])).runCount, 0);
  const done = await d.json<JobView>(['job', 'wait', job.id]);
  t.is(done.state, 'succeeded');
  t.log(`manual backup of 500 MB took ${Date.now() - Date.parse(job.createdAt)} ms`);
  // Once the domain is free, the next instant runs.
  const next = await fireOnce(t, d, 'busy', t0 + 2 * HOUR);
  t.is(next.outcome, 'succeeded');
});
