import { spawn } from 'node:child_process';
import { access, mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqliteCatalog } from '../src/adapters/sqlite/sqlite-catalog.js';
import { silentLogger } from '../src/ports/logger.js';
import { Scheduler } from '../src/service/scheduling/scheduler.js';
import { formatTarget, percentile, summarize, type Target } from './stats.js';

/**
 * bench/scale (issue 16): a seeded catalog file of 100 domains with a 30-point chain each (3,000
 * points), no VM. Measures `point list` first page (the catalog query the API makes, 200 runs:
 * all domains, and one domain) and a scheduler tick with 64 tasks bound to one policy, nothing
 * due (200 ticks a minute apart): p99 against the targets; and the idle RSS of a built
 * virtpointd (`npm run build` first: dist/daemon/main.js; plain node, no tsx loader) on that
 * catalog, 5 s after it answers. `--quick`: 50 runs. Writes bench/results/scale.json.
 */

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const RESULTS = join(BENCH_DIR, 'results', 'scale.json');
const QUICK = process.argv.includes('--quick');
const RUNS = QUICK ? 50 : 200;
const DOMAINS = 100;
const CHAIN = 30;
const BOUND = 64;
const PAGE = 50;

function uuidOf(i: number): string {
  return `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
}

function seed(catalog: SqliteCatalog): void {
  const t0 = Date.UTC(2026, 0, 1);
  catalog.transaction(() => {
    for (let i = 0; i < DOMAINS; i++) {
      const domainUuid = uuidOf(i);
      catalog.upsertDomain({ uuid: domainUuid, name: `vm-${i}` });
      const chain = catalog.createChain({ domainUuid, diskSet: ['vda'], maxLength: CHAIN });
      for (let seq = 0; seq < CHAIN; seq++) {
        const p = catalog.createPoint({
          name: `p-${i}-${seq}`,
          domainUuid,
          chainId: chain.id,
          seq,
          kind: seq === 0 ? 'full' : 'incremental',
          trigger: 'manual',
          newChainReason: seq === 0 ? 'no-chain' : null,
          disks: [
            {
              target: 'vda',
              path: `${domainUuid}/${chain.id}/vda.${seq}.qcow2`,
              virtualSize: 1 << 30,
              format: 'qcow2',
              checkpoint: `vp-${chain.id}-${seq}`,
            },
          ],
        });
        catalog.updatePointState(p.id, 'available', { sizes: { vda: 1 << 20 } });
      }
    }
  });
  void t0;
}

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..');

function status(socket: string): Promise<boolean> {
  return new Promise((res) => {
    const req = request({ socketPath: socket, path: '/v1/status', method: 'GET' }, (r) => {
      r.resume();
      res(r.statusCode === 200);
    });
    req.on('error', () => res(false));
    req.end();
  });
}

/** VmRSS (MB) of a built daemon on a copy of the seeded catalog, idle; NaN when not built. */
async function idleRssMb(dir: string, catalogFile: string): Promise<number> {
  const main = join(REPO, 'dist', 'daemon', 'main.js');
  if (
    !(await access(main).then(
      () => true,
      () => false,
    ))
  ) {
    console.log('[bench/scale] dist/daemon/main.js missing (npm run build): idle RSS not measured');
    return NaN;
  }
  const stateDir = join(dir, 'state');
  await mkdir(stateDir, { recursive: true });
  await writeFile(join(stateDir, 'catalog.db'), await readFile(catalogFile));
  const socket = join(dir, 'api.sock');
  const conf = join(dir, 'virtpoint.conf');
  await writeFile(conf, 'verify_schedule = off\n');
  const child = spawn(
    process.execPath,
    [main, '--config', conf, '--socket', socket, '--state-dir', stateDir],
    {
      stdio: 'ignore',
    },
  );
  try {
    const deadline = Date.now() + 60_000;
    while (!(await status(socket))) {
      if (child.exitCode !== null || Date.now() > deadline) return NaN;
      await new Promise((r) => setTimeout(r, 200));
    }
    await new Promise((r) => setTimeout(r, 5000));
    const st = await readFile(`/proc/${child.pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(st)?.[1] ?? NaN);
    return Math.round(kb / 1024);
  } finally {
    if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGTERM');
  }
}

function timeRuns(fn: () => unknown, runs: number): number[] {
  fn(); // warm: prepared statements, page cache
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    out.push(Math.round((performance.now() - start) * 1000) / 1000);
  }
  return out;
}

export async function run(): Promise<unknown> {
  const dir = await mkdtemp(join(tmpdir(), 'vp-bench-scale-'));
  const catalog = new SqliteCatalog({ path: join(dir, 'catalog.db') });
  let closed = false;
  try {
    const seedStart = performance.now();
    seed(catalog);
    const seedMs = Math.round(performance.now() - seedStart);
    console.log(`[bench/scale] seeded ${DOMAINS * CHAIN} points in ${seedMs} ms`);
    const listAll = timeRuns(() => catalog.listPoints({ limit: PAGE }), RUNS);
    const listOne = timeRuns(() => catalog.listPoints({ domainUuid: uuidOf(42), limit: PAGE }), RUNS);

    const policy = catalog.scheduling.createPolicy({
      name: 'nightly',
      schedule: { kind: 'every-days', n: 1, times: ['02:00'] },
      enabled: true,
    });
    for (let i = 0; i < BOUND; i++) {
      catalog.scheduling.createTask({
        name: `t-${i}`,
        resources: [{ domainUuid: uuidOf(i), domainName: `vm-${i}`, disks: null }],
        policyIds: [policy.id],
        chainLength: CHAIN,
        retention: { kind: 'count', n: 14 },
        receivers: [],
        enabled: true,
      });
    }
    let now = Date.UTC(2026, 5, 1, 10, 0, 0); // 10:00 UTC: nothing due at 02:00
    const scheduler = new Scheduler({
      catalog,
      exec: { start: () => undefined, idle: async () => undefined } as never,
      retention: { submit: () => undefined } as never,
      log: silentLogger,
      now: () => now,
      timeZone: 'UTC',
    });
    const tick = timeRuns(() => {
      now += 60_000;
      scheduler.tick(now);
    }, RUNS);

    catalog.close();
    closed = true;
    const rssMb = await idleRssMb(dir, join(dir, 'catalog.db'));
    const targets: Target[] = [
      {
        name: `point list first page (all, ${PAGE}) p99`,
        value: percentile(listAll, 99),
        op: '<',
        goal: 10,
        unit: ' ms',
      },
      {
        name: `point list first page (one domain) p99`,
        value: percentile(listOne, 99),
        op: '<',
        goal: 10,
        unit: ' ms',
      },
      {
        name: `scheduler tick, ${BOUND} bound domains, p99`,
        value: percentile(tick, 99),
        op: '<',
        goal: 5,
        unit: ' ms',
      },
    ];
    const result = {
      date: new Date().toISOString(),
      points: DOMAINS * CHAIN,
      runs: RUNS,
      seedMs,
      pointListAll: { ...summarize(listAll), p99: percentile(listAll, 99) },
      pointListDomain: { ...summarize(listOne), p99: percentile(listOne, 99) },
      schedulerTick: { ...summarize(tick), p99: percentile(tick, 99) },
      idleRssMb: rssMb,
      targets: targets.map((t) => ({ ...t, met: formatTarget(t).startsWith('met') })),
    };
    console.log('\nbench/scale');
    for (const k of ['pointListAll', 'pointListDomain', 'schedulerTick'] as const) {
      const x = result[k];
      console.log(`  ${k.padEnd(16)} median ${x.median} ms  min ${x.min}  max ${x.max}  p99 ${x.p99}`);
    }
    console.log('  targets:');
    for (const t of targets) console.log(`    ${formatTarget(t)}`);
    console.log('');
    await mkdir(dirname(RESULTS), { recursive: true });
    await writeFile(RESULTS, JSON.stringify(result, null, 2) + '\n');
    return result;
  } finally {
    if (!closed) catalog.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await run();
}
