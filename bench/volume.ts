import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, open, realpath, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { LibvirtHypervisor } from '../src/adapters/libvirt/hypervisor.js';
import { nodeFs, systemClock } from '../src/adapters/node-fs.js';
import { runCommand } from '../src/adapters/process/run-command.js';
import { QemuImg } from '../src/adapters/qemu-img/qemu-img.js';
import { nodeOfflineBackupHost, QsdOfflineBackup } from '../src/adapters/qmp/offline-backup.js';
import type { QmpClient } from '../src/adapters/qmp/qmp-client.js';
import { SqliteCatalog } from '../src/adapters/sqlite/sqlite-catalog.js';
import { SqliteVolumeResources } from '../src/adapters/sqlite/sqlite-volume-resources.js';
import { checkpointName } from '../src/core/names.js';
import { resolveStorePath } from '../src/core/store-layout.js';
import type { Point } from '../src/ports/catalog.js';
import { VolumeBackupService } from '../src/service/volume-backup/backup.js';
import { collectingLogger } from './logger.js';
import { formatTarget, median, rotation, speedRatio, summarize, type Summary, type Target } from './stats.js';

/**
 * bench/volume (issue 19): a FULL backup of a detached qcow2 volume by the real volume backup
 * service in-process (VolumeBackupService: resolve + detached check through libvirt, point
 * file created, QEMU's backup job offline in a short-lived qemu-storage-daemon over QMP, fsync,
 * checksum pass, catalog) against `qemu-img convert -O qcow2 SRC DST` + `sync DST` (fsync: the
 * flush qemu-img does not do), interleaved with the order rotated each round, the source's page
 * cache dropped before every timed step (`dd iflag=nocache count=0`) and a plain `sync` untimed
 * before it. The source: 1 GiB qcow2 (`--quick`: 256 MiB), 60 % of its 4 MiB extents random
 * data (a sparse raw file with random extents converted to qcow2), the rest never written. Every
 * round has a fresh catalog, store and run dir; the persistent bitmap the backup adds to the
 * source is removed untimed, so every round reads the same volume. virtpoint's time is split
 * through timed wrappers of its ports (libvirt, qemu-img, qemu-storage-daemon start, QMP
 * commands, the backup job, fsync, checksum). A third tool runs the same service with copy-range
 * (COPY_RANGE below). Round 1 of each tool checks its copy with `qemu-img compare`, untimed.
 * Writes bench/results/volume.json; reports only.
 */

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const RESULTS = join(BENCH_DIR, 'results', 'volume.json');
const QUICK = process.argv.includes('--quick');
const ROUNDS = QUICK ? 3 : 5;
const SIZE_MIB = QUICK ? 256 : 1024;
const EXTENT_MIB = 4;
const FILL = 0.6;
const MiB = 1024 * 1024;
const HOUR = 3_600_000;
/** `virtpoint x-perf copy-range`: the same service with `x-perf.use-copy-range` added to its
 * blockdev-backup by the bench (QEMU then copies with copy_file_range): what that change gives. */
const COPY_RANGE = 'virtpoint x-perf copy-range';
const TOOLS = ['virtpoint', 'qemu-img+sync', COPY_RANGE] as const;

function log(msg: string): void {
  console.log(`[bench/volume] ${msg}`);
}

const run1 = (argv: string[]) => runCommand(argv, { timeoutMs: HOUR });
/** Drops a file's page cache (posix_fadvise DONTNEED through dd; works unprivileged). */
const dropCache = (file: string) => run1(['dd', `if=${file}`, 'iflag=nocache', 'count=0', 'status=none']);
/** Writes all dirty pages of the host out, untimed, so no step pays for the previous one's. */
const settle = () => run1(['sync']);

/** One timed call of a wrapped port: which, when (ms since the round's start), how long. */
export interface Call {
  readonly name: string;
  readonly start: number;
  readonly end: number;
}

/** `obj` with every method that returns a promise timed into `calls` as `prefix.method`. */
export function timed<T extends object>(obj: T, prefix: string, calls: Call[]): T {
  return new Proxy(obj, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        const start = performance.now();
        const out = (v as (...a: unknown[]) => unknown).apply(target, args);
        const name = `${prefix}.${String(prop)}${prop === 'execute' ? `:${String(args[0])}` : ''}`;
        if (out instanceof Promise)
          return out.finally(() => calls.push({ name, start, end: performance.now() }));
        return out;
      };
    },
  });
}

/** A sparse raw file with round(FILL × n) of its n extents random, converted to qcow2 at `path`. */
async function makeSource(path: string): Promise<{ filledMiB: number }> {
  const raw = `${path}.raw`;
  const n = SIZE_MIB / EXTENT_MIB;
  const order = [...Array(n).keys()];
  for (let i = n - 1; i > 0; i--) {
    const j = randomBytes(4).readUInt32LE() % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const filled = order.slice(0, Math.round(n * FILL)).sort((a, b) => a - b);
  const fh = await open(raw, 'w');
  try {
    await fh.truncate(SIZE_MIB * MiB);
    for (const e of filled)
      await fh.write(randomBytes(EXTENT_MIB * MiB), 0, EXTENT_MIB * MiB, e * EXTENT_MIB * MiB);
  } finally {
    await fh.close();
  }
  await run1(['qemu-img', 'convert', '-f', 'raw', '-O', 'qcow2', raw, path]);
  await rm(raw);
  await settle();
  return { filledMiB: filled.length * EXTENT_MIB };
}

/** Where one virtpoint backup's time went (ms), from the calls of its wrapped ports. */
export function split(calls: readonly Call[], totalMs: number) {
  const sum = (pred: (c: Call) => boolean) =>
    Math.round(calls.filter(pred).reduce((a, c) => a + (c.end - c.start), 0));
  const is = (name: string) => (c: Call) => c.name === name;
  const tx = calls.find(is('qmp.execute:transaction'));
  const jobEnd = calls.find(
    (c) => c.name === 'qmp.execute:query-jobs' && tx !== undefined && c.start >= tx.end,
  );
  const offline = sum(is('offline.run'));
  const qsdStart = sum(is('host.start'));
  const connect = sum(is('host.connect'));
  const job = tx && jobEnd ? Math.round(jobEnd.start - tx.end) : NaN;
  const qmp = sum((c) => c.name.startsWith('qmp.execute:'));
  const parts = {
    libvirtListDisksMs: sum(is('hv.listDomainDisks')),
    qemuImgInfoMs: sum(is('img.info')),
    qemuImgCreateMs: sum(is('img.create')),
    qsdStartMs: qsdStart,
    qmpConnectMs: connect,
    qmpCommandsMs: qmp,
    backupJobMs: job,
    // the rest of offline.run: the daemon's stop (SIGTERM, waiting for /proc to drop it), files
    qsdStopAndRestMs: Math.round(offline - qsdStart - connect - qmp - (Number.isNaN(job) ? 0 : job)),
    fsyncMs: sum((c) => c.name === 'fs.fsyncFile' || c.name === 'fs.fsyncDir'),
    checksumMs: sum(is('fs.checksumFile')),
  };
  const listed = Object.values(parts).reduce((a, x) => a + (Number.isNaN(x) ? 0 : x), 0);
  return { ...parts, catalogAndRestMs: Math.round(totalMs - listed) };
}

/** The QMP commands of one backup, ms per command (summed when one runs more than once). */
export function qmpByCommand(calls: readonly Call[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of calls.filter((x) => x.name.startsWith('qmp.execute:'))) {
    const k = c.name.slice('qmp.execute:'.length);
    out[k] = Math.round((out[k] ?? 0) + c.end - c.start);
  }
  return out;
}

type Split = ReturnType<typeof split>;

interface Ctx {
  readonly hv: LibvirtHypervisor;
  readonly src: string;
  readonly workDir: string;
  readonly warnings: string[];
}

/** The QMP client with `x-perf: { use-copy-range: true }` in every blockdev-backup it sends. */
export function withCopyRange(qmp: QmpClient): QmpClient {
  return new Proxy(qmp, {
    get(target, prop, receiver) {
      if (prop !== 'execute') return Reflect.get(target, prop, receiver) as unknown;
      return (command: string, args?: Record<string, unknown>, timeoutMs?: number) => {
        if (command !== 'transaction' || args === undefined) return target.execute(command, args, timeoutMs);
        const actions = (args.actions as { type: string; data: Record<string, unknown> }[]).map((a) =>
          a.type === 'blockdev-backup'
            ? { ...a, data: { ...a.data, 'x-perf': { 'use-copy-range': true } } }
            : a,
        );
        return target.execute(command, { ...args, actions }, timeoutMs);
      };
    },
  });
}

/** One virtpoint full backup in fresh dirs; returns its time, split and point, cleans up after. */
async function virtpointRound(
  ctx: Ctx,
  round: number,
  check: boolean,
  copyRange: boolean,
): Promise<{ ms: number; split: Split; qmp: Record<string, number> }> {
  const dir = join(ctx.workDir, `vp-${round}${copyRange ? '-cr' : ''}`);
  const storeRoot = join(dir, 'store');
  const runDir = join(dir, 'run');
  await mkdir(dir, { recursive: true });
  const calls: Call[] = [];
  const catalog = new SqliteCatalog({ path: ':memory:' });
  // the QMP client the engine connects is timed too: its commands, and the job between them
  const host = nodeOfflineBackupHost(nodeFs);
  const timedHost = timed(
    {
      ...host,
      connect: async (socket: string) => {
        const qmp = await host.connect(socket);
        return timed(copyRange ? withCopyRange(qmp) : qmp, 'qmp', calls);
      },
    },
    'host',
    calls,
  );
  const engine = timed(new QsdOfflineBackup(timedHost), 'offline', calls);
  const svc = new VolumeBackupService({
    hypervisor: timed(ctx.hv, 'hv', calls),
    imageTool: timed(new QemuImg(), 'img', calls),
    catalog,
    fs: timed(nodeFs, 'fs', calls),
    clock: systemClock,
    random: randomBytes,
    log: collectingLogger(ctx.warnings),
    storeRoot,
    offline: engine,
    resources: new SqliteVolumeResources(catalog.db),
    runDir,
    volumePath: () => Promise.reject(new Error('the bench names its volume by path')),
    realPath: (p) => realpath(p),
    allowedDirs: [dirname(ctx.src)],
  });
  let point: Point | undefined;
  try {
    const req = { volume: { path: ctx.src }, full: true };
    const t0 = performance.now();
    // what the daemon does for `virtpoint backup --volume-path SRC --full`: the API's check,
    // then the job's body (checked again under the lock), up to the available point
    const v = await svc.check(req);
    point = await svc.run(v.uuid, req);
    const ms = Math.round((performance.now() - t0) * 10) / 10;
    if (point.state !== 'available') throw new Error(`the point is ${point.state}, not available`);
    if (check) await compareWithSource(ctx.src, resolveStorePath(storeRoot, point.disks[0]!.path));
    return { ms, split: split(calls, ms), qmp: qmpByCommand(calls) };
  } finally {
    await engine.stopLeftovers(runDir); // a daemon a failed round left: stopped by PID
    catalog.close();
    // the bitmap the backup added to the source: removed so every round reads the same volume
    if (point !== undefined)
      await run1(['qemu-img', 'bitmap', '--remove', ctx.src, checkpointName(point.chainId, point.seq)]);
    await rm(dir, { recursive: true, force: true });
  }
}

async function qemuImgRound(ctx: Ctx, round: number, check: boolean): Promise<{ ms: number }> {
  const dst = join(ctx.workDir, `qemu-img-${round}.qcow2`);
  try {
    const t0 = performance.now();
    await run1(['qemu-img', 'convert', '-O', 'qcow2', ctx.src, dst]);
    await run1(['sync', dst]);
    const ms = Math.round((performance.now() - t0) * 10) / 10;
    if (check) await compareWithSource(ctx.src, dst);
    return { ms };
  } finally {
    await rm(dst, { force: true });
  }
}

/** Untimed, first round only: the copy holds exactly the source's guest-visible bytes. */
async function compareWithSource(src: string, copy: string): Promise<void> {
  await run1(['qemu-img', 'compare', '-f', 'qcow2', '-F', 'qcow2', src, copy]);
}

export async function run(): Promise<unknown> {
  const workDir = await mkdtemp('/var/tmp/vp-bench-volume-');
  const warnings: string[] = [];
  let hv: LibvirtHypervisor | undefined;
  try {
    const volDir = join(workDir, 'vols');
    await mkdir(volDir);
    const src = join(volDir, 'volume.qcow2');
    log(
      `${QUICK ? 'quick: ' : ''}${SIZE_MIB} MiB qcow2 volume, ${FILL * 100} % of its ${EXTENT_MIB} MiB extents random`,
    );
    const { filledMiB } = await makeSource(src);
    const actual = (await new QemuImg().info(src)).actualSize;
    hv = await LibvirtHypervisor.connect();
    const ctx: Ctx = { hv, src: await realpath(src), workDir, warnings };
    const ms: Record<string, number[]> = Object.fromEntries(TOOLS.map((t) => [t, []]));
    const splits: Record<string, Split[]> = { virtpoint: [], [COPY_RANGE]: [] };
    const qmp: Record<string, Record<string, number>[]> = { virtpoint: [], [COPY_RANGE]: [] };
    for (let r = 0; r < ROUNDS; r++) {
      for (const tool of rotation(TOOLS, r)) {
        await settle();
        await dropCache(ctx.src);
        if (tool !== 'qemu-img+sync') {
          const out = await virtpointRound(ctx, r, r === 0, tool === COPY_RANGE);
          ms[tool]!.push(out.ms);
          splits[tool]!.push(out.split);
          qmp[tool]!.push(out.qmp);
        } else {
          ms[tool]!.push((await qemuImgRound(ctx, r, r === 0)).ms);
        }
        log(`round ${r + 1}/${ROUNDS}: ${tool} ${ms[tool]!.at(-1)!.toFixed(0)} ms`);
      }
    }
    const full = Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, summarize(v)])) as Record<
      string,
      Summary
    >;
    const medians = <T extends object>(xs: readonly T[]) =>
      Object.fromEntries(
        Object.keys(xs[0]!).map((k) => [k, median(xs.map((x) => (x as Record<string, number>)[k]!))]),
      );
    const per = <T>(f: (tool: string) => T): Record<string, T> => ({
      virtpoint: f('virtpoint'),
      [COPY_RANGE]: f(COPY_RANGE),
    });
    const splitMedians = per((t) => medians(splits[t]!));
    const baseline = full['qemu-img+sync']!.median;
    const targets: Target[] = [
      {
        name: 'full backup of a detached volume vs qemu-img convert + sync',
        value: speedRatio(baseline, full.virtpoint!.median),
        op: '>=',
        goal: 1,
        unit: '×',
      },
    ];
    const loadavg = (await runCommand(['cat', '/proc/loadavg'])).stdout.toString().trim();
    const result = {
      date: new Date().toISOString(),
      quick: QUICK,
      rounds: ROUNDS,
      loadavg,
      volume: { sizeMiB: SIZE_MIB, filledMiB, extentMiB: EXTENT_MIB, actualBytes: actual },
      full,
      samplesMs: ms,
      // qemu-img time / virtpoint time per variant (> 1: virtpoint is faster)
      ratio: per((t) => speedRatio(baseline, full[t]!.median)),
      splitMedianMs: splitMedians,
      splits,
      // which QMP command holds the time (blockdev-del of the target flushes it: fdatasync)
      qmpCommandMedianMs: per((t) => medians(qmp[t]!)),
      // the same ratio without the checksum pass (qemu-img computes none)
      ratioWithoutChecksum: per((t) => speedRatio(baseline, full[t]!.median - splitMedians[t]!.checksumMs!)),
      targets: targets.map((t) => ({ ...t, met: formatTarget(t).startsWith('met') })),
      warnings,
    };
    print(result, targets);
    await mkdir(dirname(RESULTS), { recursive: true });
    await writeFile(RESULTS, JSON.stringify(result, null, 2) + '\n');
    log(`wrote ${RESULTS}`);
    return result;
  } finally {
    await hv?.close().catch(() => undefined);
    await rm(workDir, { recursive: true, force: true });
  }
}

function print(
  r: {
    loadavg: string;
    full: Record<string, Summary>;
    ratio: Record<string, number>;
    splitMedianMs: Record<string, Record<string, number>>;
    qmpCommandMedianMs: Record<string, Record<string, number>>;
    ratioWithoutChecksum: Record<string, number>;
  },
  targets: readonly Target[],
): void {
  const row = (name: string, x: Summary) =>
    `    ${name.padEnd(28)} median ${x.median.toFixed(0).padStart(6)} ms  min ${x.min.toFixed(0).padStart(6)}  max ${x.max.toFixed(0).padStart(6)}`;
  console.log(`\nbench/volume (load average at the end: ${r.loadavg})`);
  console.log(`  full backup, ${SIZE_MIB} MiB volume`);
  for (const [tool, x] of Object.entries(r.full)) console.log(row(tool, x));
  const tools = Object.keys(r.splitMedianMs);
  console.log(`  split (medians, ms)      ${tools.map((t) => t.padStart(28)).join('')}`);
  for (const k of Object.keys(r.splitMedianMs[tools[0]!]!))
    console.log(
      `    ${k.padEnd(22)} ${tools.map((t) => String(r.splitMedianMs[t]![k]).padStart(28)).join('')}`,
    );
  for (const t of tools) {
    const q = Object.entries(r.qmpCommandMedianMs[t]!).map(([k, v]) => `${k} ${v}`);
    console.log(`  ${t}: QMP commands (medians, ms): ${q.join(', ')}`);
    console.log(
      `  ${t}: ratio qemu-img+sync / ${t} ${r.ratio[t]}×, without the checksum pass ${r.ratioWithoutChecksum[t]}×`,
    );
  }
  console.log('  targets:');
  for (const t of targets) console.log(`    ${formatTarget(t)}`);
  console.log('');
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await run();
}
