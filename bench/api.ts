/**
 * bench/api: `GET /v1/points` over a seeded catalog of 10,000 points, through virtpointd's Unix
 * socket (keep-alive, sequential): the whole list and one domain's ~1,000, with `GET /v1/status`
 * as the floor; one `point list --json` through the CLI (runCli in-process); the in-process
 * breakdown of the list (catalog query, view mapping, JSON); and the daemon's RSS right after start
 * and when idle after the requests. Seeds a temp state dir (made-up domain UUIDs; nothing is read
 * from libvirt or QEMU to list points), starts its own daemon, stops it (SIGTERM to its PID) and
 * removes the dir.
 *
 *   npx tsx bench/api.ts      (writes bench/results/api.json)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { SqliteCatalog } from '../src/adapters/sqlite/sqlite-catalog.js';
import { runCli } from '../src/cli/run.js';
import { pointDiskPath } from '../src/core/store-layout.js';
import type { Chain, Point } from '../src/ports/catalog.js';
import { pointView } from '../src/service/catalog/views.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '..');
export const RESULT_FILE = join(HERE, 'results', 'api.json');

const TARGET_P99_MS = 10;
const TARGET_RSS_MB = 80;
const DISKS = ['vda', 'vdb'] as const;

export interface Series {
  readonly name: string;
  readonly path: string;
  readonly requests: number;
  readonly items: number;
  readonly bytes: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly meanMs: number;
  readonly maxMs: number;
}

export interface Breakdown {
  /** catalog.listPoints({}): the points query, the disks query, rows → Point. */
  readonly catalogListMs: number;
  /** The points query alone (better-sqlite3 row objects, no disks). */
  readonly pointsQueryMs: number;
  /** The point_disks query alone. */
  readonly disksQueryMs: number;
  /** Point → PointView as VirtpointControl.listPoints does it (domain names from one listDomains). */
  readonly viewMappingMs: number;
  /** JSON.stringify of the views (what sendJson does). */
  readonly jsonMs: number;
}

export interface ApiResult {
  readonly bench: 'api';
  readonly date: string;
  readonly points: number;
  readonly domains: number;
  readonly disksPerPoint: number;
  readonly seedMs: number;
  readonly series: readonly Series[];
  /** The steps of GET /v1/points timed in this process on the same catalog (p50 of 20 runs each). */
  readonly breakdownP50Ms: Breakdown;
  readonly cli: {
    readonly argv: readonly string[];
    readonly ms: number;
    readonly bytes: number;
    readonly exit: number;
  };
  readonly rss: { readonly afterStartMb: number; readonly idleMb: number; readonly idleWaitMs: number };
  readonly targets: {
    readonly fullListP99Ms: { readonly target: number; readonly value: number; readonly met: boolean };
    readonly idleRssMb: { readonly target: number; readonly value: number; readonly met: boolean };
  };
}

export interface RunOptions {
  readonly points?: number;
  readonly domains?: number;
  readonly requests?: number;
  readonly warmup?: number;
  readonly idleWaitMs?: number;
  readonly log?: (line: string) => void;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

// ---- seeding ----

interface Seeded {
  readonly domainUuids: readonly string[];
  readonly points: number;
}

/** `points` points over `domains` domains, chains of ≤ 30, all `available` with sizes; one transaction. */
export function seed(path: string, domains: number, points: number): Seeded {
  // A clock that moves 1 s per call: distinct, increasing created_at like a real history.
  let t = Date.now() - points * 10_000;
  const catalog = new SqliteCatalog({ path, now: () => (t += 1000) });
  try {
    const domainUuids: string[] = [];
    catalog.transaction(() => {
      for (let d = 0; d < domains; d++) {
        const uuid = randomUUID();
        domainUuids.push(uuid);
        catalog.upsertDomain({ uuid, name: `bench-api-${d}` });
      }
      for (let d = 0; d < domains; d++) {
        const domainUuid = domainUuids[d]!;
        const count = Math.floor(points / domains) + (d < points % domains ? 1 : 0);
        let chain: Chain | null = null;
        for (let i = 0; i < count; i++) {
          const seq = i % 30;
          if (seq === 0) {
            chain = catalog.createChain({
              domainUuid,
              diskSet: [...DISKS],
              maxLength: 30,
              ...(chain === null ? {} : { seal: { chainId: chain.id, reason: 'chain-full' as const } }),
            });
          }
          const c = chain!;
          const p = catalog.createPoint({
            name: `bench-${d}-${i}`,
            domainUuid,
            chainId: c.id,
            seq,
            kind: seq === 0 ? 'full' : 'incremental',
            trigger: i % 3 === 0 ? 'manual' : 'schedule',
            newChainReason: seq === 0 ? (i === 0 ? 'no-chain' : 'chain-full') : null,
            disks: DISKS.map((target) => ({
              target,
              path: pointDiskPath(domainUuid, c.id, target, seq),
              virtualSize: 20 * 2 ** 30,
              format: 'qcow2' as const,
              checkpoint: `vpt-${c.id}-${seq}`,
            })),
          });
          catalog.updatePointState(p.id, 'available', {
            consistency: 'filesystem',
            freezeMs: 40 + (i % 50),
            sizes: Object.fromEntries(
              DISKS.map((x, k) => [x, (seq === 0 ? 4 * 2 ** 30 : 50 * 2 ** 20) + k + i]),
            ),
          });
        }
      }
    });
    return { domainUuids, points };
  } finally {
    catalog.close();
  }
}

// ---- in-process breakdown ----

function timeP50(n: number, fn: () => void): number {
  const lat: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = performance.now();
    fn();
    lat.push(performance.now() - a);
  }
  return round(
    quantile(
      lat.sort((a, b) => a - b),
      0.5,
    ),
  );
}

/** The steps of GET /v1/points on the same catalog, timed in this process (p50 of `n` runs each). */
function breakdown(path: string, storeRoot: string, n: number): Breakdown {
  const catalog = new SqliteCatalog({ path });
  try {
    const names = () => new Map(catalog.listDomains().map((d) => [d.uuid, d.name]));
    const toViews = (points: readonly Point[]) => {
      const n = names();
      return points.map((p) =>
        pointView(p, n.get(p.domainUuid) ?? p.domainUuid, storeRoot, { owner: 'manual', ownerTaskId: null }),
      );
    };
    const points = catalog.listPoints({});
    const views = toViews(points);
    for (let i = 0; i < 5; i++) JSON.stringify(views); // warm-up
    const rowsOnly = catalog.db.prepare('SELECT * FROM points ORDER BY created_at, seq, rowid');
    const disksOnly = catalog.db.prepare(
      'SELECT * FROM point_disks WHERE point_id IN (SELECT id FROM points) ORDER BY point_id, target',
    );
    return {
      catalogListMs: timeP50(n, () => void catalog.listPoints({})),
      pointsQueryMs: timeP50(n, () => void rowsOnly.all()),
      disksQueryMs: timeP50(n, () => void disksOnly.all()),
      viewMappingMs: timeP50(n, () => void toViews(points)),
      jsonMs: timeP50(n, () => void JSON.stringify(views)),
    };
  } finally {
    catalog.close();
  }
}

// ---- daemon ----

export interface Daemon {
  readonly child: ChildProcess;
  readonly pid: number;
  output(): string;
}

export function startDaemon(configFile: string, socket: string, stateDir: string): Daemon {
  // The built daemon (what setup-host.sh installs) when it exists; tsx adds ~50 MB of RSS.
  const built = existsSync(join(REPO, 'dist/daemon/main.js'));
  const child = spawn(
    process.execPath,
    [
      ...(built ? ['dist/daemon/main.js'] : ['--import', 'tsx', 'src/daemon/main.ts']),
      '--config',
      configFile,
      '--socket',
      socket,
      '--state-dir',
      stateDir,
    ],
    { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (child.pid === undefined) throw new Error('virtpointd did not start');
  let tail = '';
  const keep = (b: Buffer) => {
    tail = (tail + b.toString()).slice(-8000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return { child, pid: child.pid, output: () => tail };
}

export async function stopDaemon(d: Daemon): Promise<void> {
  if (d.child.exitCode !== null || d.child.signalCode !== null) return;
  const exited = new Promise<void>((r) => d.child.once('exit', () => r()));
  process.kill(d.pid, 'SIGTERM');
  const timeout = sleep(15_000).then(() => 'timeout' as const);
  if ((await Promise.race([exited, timeout])) === 'timeout') {
    throw new Error(`virtpointd (pid ${d.pid}) did not exit 15 s after SIGTERM`);
  }
}

interface Answer {
  readonly status: number;
  readonly body: Buffer;
}

function get(agent: Agent | undefined, socketPath: string, path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath, path, method: 'GET', agent, headers: { accept: 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

export async function waitReady(d: Daemon, socket: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (d.child.exitCode !== null) {
      throw new Error(`virtpointd exited with ${d.child.exitCode}:\n${d.output()}`);
    }
    try {
      const a = await get(undefined, socket, '/v1/status');
      if (a.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`virtpointd not ready after ${timeoutMs} ms:\n${d.output()}`);
    await sleep(50);
  }
}

async function lastPointIdOfFirstPage(agent: Agent, socket: string): Promise<string> {
  const a = await get(agent, socket, '/v1/points');
  const page = JSON.parse(a.body.toString()) as { id: string }[];
  const last = page.at(-1);
  if (last === undefined) throw new Error('GET /v1/points returned no points');
  return last.id;
}

async function vmRssMb(pid: number): Promise<number> {
  const text = await readFile(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(text);
  if (m === null) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return round(Number(m[1]) / 1024);
}

async function measure(
  agent: Agent,
  socket: string,
  name: string,
  path: string,
  warmup: number,
  n: number,
): Promise<Series> {
  let items = 0;
  let bytes = 0;
  const check = (a: Answer) => {
    if (a.status !== 200) throw new Error(`GET ${path}: ${a.status} ${a.body.toString().slice(0, 300)}`);
    bytes = a.body.length;
    const v = JSON.parse(a.body.toString()) as unknown;
    items = Array.isArray(v) ? v.length : 1;
  };
  for (let i = 0; i < warmup; i++) check(await get(agent, socket, path));
  const lat: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = performance.now();
    const ans = await get(agent, socket, path);
    lat.push(performance.now() - a);
    if (ans.status !== 200) check(ans);
    bytes = ans.body.length;
  }
  const s = lat.sort((a, b) => a - b);
  return {
    name,
    path,
    requests: s.length,
    items,
    bytes,
    p50Ms: round(quantile(s, 0.5)),
    p99Ms: round(quantile(s, 0.99)),
    meanMs: round(s.reduce((x, y) => x + y, 0) / s.length),
    maxMs: round(s[s.length - 1] ?? NaN),
  };
}

// ---- run ----

export async function run(opts: RunOptions = {}): Promise<ApiResult> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const nPoints = opts.points ?? 10_000;
  const nDomains = opts.domains ?? 10;
  const n = opts.requests ?? 200;
  const warmup = opts.warmup ?? 20;
  const idleWaitMs = opts.idleWaitMs ?? 5000;

  const dir = await mkdtemp(join(tmpdir(), 'vpt-bench-api-'));
  const socket = join(dir, 'api.sock');
  const configFile = join(dir, 'empty.conf');
  const catalogFile = join(dir, 'catalog.db');
  let daemon: Daemon | undefined;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    await writeFile(configFile, '');
    const s0 = performance.now();
    const seeded = seed(catalogFile, nDomains, nPoints);
    const seedMs = round(performance.now() - s0);
    log(`api: seeded ${seeded.points} points over ${nDomains} domains in ${(seedMs / 1000).toFixed(1)} s`);
    const parts = breakdown(catalogFile, join(dir, 'store'), 20);

    daemon = startDaemon(configFile, socket, dir);
    await waitReady(daemon, socket, 60_000);
    // The daemon's idle RSS: started, reconciled, no request served yet (the target applies here);
    // the RSS after the load below is reported too (V8 keeps the heap it grew into).
    await sleep(2000);
    const afterStartMb = await vmRssMb(daemon.pid);
    log(`api: virtpointd pid ${daemon.pid} ready, RSS ${afterStartMb.toFixed(1)} MB`);

    const one = seeded.domainUuids[0]!;
    const series: Series[] = [];
    series.push(await measure(agent, socket, 'status (floor)', '/v1/status', warmup, n));
    series.push(await measure(agent, socket, 'points, one domain', `/v1/points?domain=${one}`, warmup, n));
    // GET /v1/points answers one page (500 points by default, keyset-paged with `after`).
    series.push(await measure(agent, socket, 'points, first page', '/v1/points', warmup, n));
    series.push(await measure(agent, socket, 'points, page of 1000', '/v1/points?limit=1000', warmup, n));
    const lastId = await lastPointIdOfFirstPage(agent, socket);
    series.push(
      await measure(agent, socket, 'points, a later page', `/v1/points?after=${lastId}`, warmup, n),
    );

    const argv = ['point', 'list', '--json', '--socket', socket];
    let cliBytes = 0;
    const io = {
      stdout: { write: (s: string) => (cliBytes += Buffer.byteLength(s)) },
      stderr: { write: (s: string) => process.stderr.write(s) },
      env: {},
      isTTY: false,
    };
    const c0 = performance.now();
    const exit = await runCli(argv, io);
    const cliMs = round(performance.now() - c0);

    agent.destroy();
    await sleep(idleWaitMs);
    const idleMb = await vmRssMb(daemon.pid);

    // The target applies to the list request an operator makes: the first page.
    const full = series[2]!;
    const result: ApiResult = {
      bench: 'api',
      date: new Date().toISOString(),
      points: seeded.points,
      domains: nDomains,
      disksPerPoint: DISKS.length,
      seedMs,
      series,
      breakdownP50Ms: parts,
      cli: { argv: ['point', 'list', '--json'], ms: cliMs, bytes: cliBytes, exit },
      rss: { afterStartMb, idleMb, idleWaitMs },
      targets: {
        fullListP99Ms: { target: TARGET_P99_MS, value: full.p99Ms, met: full.p99Ms < TARGET_P99_MS },
        idleRssMb: { target: TARGET_RSS_MB, value: afterStartMb, met: afterStartMb < TARGET_RSS_MB },
      },
    };
    report(result, log);
    await mkdir(dirname(RESULT_FILE), { recursive: true });
    await writeFile(RESULT_FILE, JSON.stringify(result, null, 2) + '\n');
    log(`wrote ${RESULT_FILE}`);
    return result;
  } finally {
    agent.destroy();
    try {
      if (daemon !== undefined) await stopDaemon(daemon);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

function report(r: ApiResult, log: (line: string) => void): void {
  const pad = (s: string | number, w: number): string => String(s).padStart(w);
  const met = (ok: boolean) => (ok ? 'met' : 'MISSED');
  const { fullListP99Ms: tp, idleRssMb: tr } = r.targets;
  log(
    `api: ${r.points} points (${r.disksPerPoint} disks each), ${r.domains} domains, keep-alive, sequential`,
  );
  log(
    `${'series'.padEnd(22)}${pad('reqs', 6)}${pad('items', 7)}${pad('bytes', 10)}${pad('p50 ms', 9)}` +
      `${pad('p99 ms', 9)}${pad('mean ms', 9)}${pad('max ms', 9)}  target`,
  );
  for (const s of r.series) {
    const target = s.path === '/v1/points' ? `p99 < ${tp.target} ms: ${met(tp.met)}` : '';
    log(
      `${s.name.padEnd(22)}${pad(s.requests, 6)}${pad(s.items, 7)}${pad(s.bytes, 10)}${pad(s.p50Ms.toFixed(2), 9)}` +
        `${pad(s.p99Ms.toFixed(2), 9)}${pad(s.meanMs.toFixed(2), 9)}${pad(s.maxMs.toFixed(2), 9)}  ${target}`,
    );
  }
  const b = r.breakdownP50Ms;
  log(
    `in-process p50, all points: catalog.listPoints ${b.catalogListMs.toFixed(2)} ms (points query ` +
      `${b.pointsQueryMs.toFixed(2)} ms, disks query ${b.disksQueryMs.toFixed(2)} ms), view mapping ` +
      `${b.viewMappingMs.toFixed(2)} ms, JSON.stringify ${b.jsonMs.toFixed(2)} ms`,
  );
  log(`CLI ${r.cli.argv.join(' ')}: ${r.cli.ms.toFixed(1)} ms, ${r.cli.bytes} bytes, exit ${r.cli.exit}`);
  log(
    `RSS: ${r.rss.afterStartMb.toFixed(1)} MB idle after start (target < ${tr.target} MB: ${met(tr.met)}); ` +
      `${r.rss.idleMb.toFixed(1)} MB idle ${(r.rss.idleWaitMs / 1000).toFixed(0)} s after the requests`,
  );
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  run().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
