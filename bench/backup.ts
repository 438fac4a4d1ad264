import { randomBytes } from 'node:crypto';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LibvirtHypervisor } from '../src/adapters/libvirt/hypervisor.js';
import { nodeFs, systemClock } from '../src/adapters/node-fs.js';
import { runCommand } from '../src/adapters/process/run-command.js';
import { QemuImg } from '../src/adapters/qemu-img/qemu-img.js';
import { SqliteCatalog } from '../src/adapters/sqlite/sqlite-catalog.js';
import type { Point } from '../src/ports/catalog.js';
import type { Logger } from '../src/ports/logger.js';
import { BackupService } from '../src/service/backup/backup.js';
import { prepareRunDir, RUN_DIR } from '../test/helpers/run-dir.js';
import { createTestVm, type TestVm } from '../test/helpers/test-vm.js';

/**
 * bench/backup (issue 4): on a throwaway TCG fixture VM whose one data disk holds ~1 GiB of random
 * data, measures
 *   - a full backup through BackupService vs `qemu-img convert -U -O qcow2` of the same (running)
 *     disk, alternated in the same run → ratio baseline_time / backup_time (target ≥ 0.9);
 *   - an incremental after dirtying ~1 % of the data in scattered places vs the full → time ratio
 *     (target ≤ 0.05) and bytes written;
 *   - the freeze window p50/p95 over 20 incremental backups (target p95 ≤ 250 ms).
 * Prints a table and writes bench/results/backup.json. Reports only: never fails on a number.
 */

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const RESULTS = join(BENCH_DIR, 'results', 'backup.json');

const MiB = 1024 * 1024;
const DISK_MIB = 1536;
const FILL_MIB = 1024;
const REDUCED_FILL_MIB = 512;
/** If filling 1 GiB in the guest would take longer than this, fill 512 MiB instead. */
const MAX_FILL_MS = 12 * 60_000;
const PROBE_MIB = 64;
const FULL_REPS = 5;
const INCR_REPS = 3;
/** Scattered writes per incremental: DIRTY_WRITES × DIRTY_KIB ≈ 1 % of the data. */
const DIRTY_KIB = 256;
const FREEZE_SAMPLES = 20;
const GUEST_FILE = '/mnt/vda/fill';

export interface BackupBenchResult {
  readonly date: string;
  readonly host: { readonly qemuImg: string; readonly guest: string };
  readonly disk: { readonly sizeMiB: number; readonly format: 'qcow2'; readonly fillMiB: number };
  readonly fill: { readonly ms: number; readonly reduced: boolean; readonly probeMiBps: number };
  readonly full: {
    readonly backupMs: number[];
    readonly baselineMs: number[];
    readonly backupMedianMs: number;
    readonly baselineMedianMs: number;
    readonly backupBytes: number;
    readonly baselineBytes: number;
    /** baseline / backup (target ≥ 0.9). */
    readonly ratio: number;
    readonly baselineCommand: string;
    readonly baselineNote: string;
    /** Freeze window of each full backup, ms. */
    readonly freezeMs: (number | null)[];
    /** Informational: `qemu-img convert -U -W` (out-of-order writes, as virtpoint's own copies use). */
    readonly baselineOutOfOrderMs: number[];
    readonly baselineOutOfOrderMedianMs: number;
  };
  readonly incremental: {
    readonly dirtyBytes: number;
    readonly dirtyPercent: number;
    readonly backupMs: number[];
    readonly bytesWritten: number[];
    readonly medianMs: number;
    readonly medianBytes: number;
    /** incremental / full (target ≤ 0.05). */
    readonly ratio: number;
    readonly freezeMs: (number | null)[];
    /**
     * Median wall time of the 20 freeze-sample backups (incrementals of ~256 KiB each): the fixed
     * cost of a backup, whatever it copies.
     */
    readonly tinyIncrementalMedianMs: number;
  };
  readonly freeze: {
    readonly samples: number;
    readonly ms: number[];
    readonly p50: number;
    readonly p95: number;
    readonly max: number;
  };
  readonly warnings: string[];
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Nearest-rank percentile. */
function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: Math.round(performance.now() - start), value };
}

function log(msg: string): void {
  console.log(`[bench/backup] ${msg}`);
}

const fmtMs = (ms: number): string => `${ms.toFixed(0)} ms`;
const fmtMiB = (b: number): string => `${(b / MiB).toFixed(1)} MiB`;

/** Fill the guest file with random data: a probe first, then the rest (1 GiB, or 512 MiB on a slow guest). */
async function fillGuest(vm: TestVm): Promise<BackupBenchResult['fill'] & { fillMiB: number }> {
  const dd = (count: number, seek: number): string =>
    `dd if=/dev/urandom of=${GUEST_FILE} bs=1M count=${count} seek=${seek} conv=notrunc 2>/dev/null && sync`;
  const probe = await timed(() => vm.agent.sh(dd(PROBE_MIB, 0), 10 * 60_000));
  const probeMiBps = PROBE_MIB / (probe.ms / 1000);
  const projectedMs = (FILL_MIB / PROBE_MIB) * probe.ms;
  const reduced = projectedMs > MAX_FILL_MS;
  const fillMiB = reduced ? REDUCED_FILL_MIB : FILL_MIB;
  log(
    `guest writes random data at ${probeMiBps.toFixed(1)} MiB/s: filling ${fillMiB} MiB` +
      (reduced ? ` (reduced: 1 GiB would take ~${Math.round(projectedMs / 1000)} s under TCG)` : ''),
  );
  const rest = await timed(() => vm.agent.sh(dd(fillMiB - PROBE_MIB, PROBE_MIB), 30 * 60_000));
  return { ms: probe.ms + rest.ms, reduced, probeMiBps: Math.round(probeMiBps * 10) / 10, fillMiB };
}

/** Overwrite `writes` scattered DIRTY_KIB blocks of the guest file (fresh offsets each round). */
async function dirtyGuest(vm: TestVm, fillMiB: number, writes: number, round: number): Promise<void> {
  const blocks = (fillMiB * 1024) / DIRTY_KIB;
  const stride = Math.floor(blocks / writes);
  const cmds: string[] = [];
  for (let i = 0; i < writes; i++) {
    // Spread over the whole file; shift each round so rounds dirty different blocks.
    const seek = i * stride + ((round * 7 + i * 3) % Math.max(1, stride));
    cmds.push(
      `dd if=/dev/urandom of=${GUEST_FILE} bs=${DIRTY_KIB}K count=1 seek=${seek} conv=notrunc 2>/dev/null`,
    );
  }
  await vm.agent.sh(`${cmds.join(' && ')} && sync`, 10 * 60_000);
}

export async function run(): Promise<BackupBenchResult> {
  await prepareRunDir();
  const workDir = join(RUN_DIR, `bench-backup-${process.pid}`);
  const warnings: string[] = [];
  const logger: Logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: (o, m) => void warnings.push(`warn: ${m} ${JSON.stringify(o)}`),
    error: (o, m) => void warnings.push(`error: ${m} ${JSON.stringify(o)}`),
  };
  let vm: TestVm | undefined;
  let hv: LibvirtHypervisor | undefined;
  let catalog: SqliteCatalog | undefined;
  try {
    await mkdir(workDir, { recursive: true });
    const storeRoot = join(workDir, 'store');
    log(`creating the fixture VM (${DISK_MIB} MiB ext4 qcow2 data disk) under ${RUN_DIR}`);
    vm = await createTestVm({
      label: 'bench-backup',
      disks: [{ sizeMiB: DISK_MIB, fs: 'ext4' }],
      memoryMiB: 256,
    });
    const disk = vm.disks[0]!;
    const fill = await fillGuest(vm);
    log(`filled ${fill.fillMiB} MiB in ${(fill.ms / 1000).toFixed(1)} s`);

    hv = await LibvirtHypervisor.connect();
    catalog = new SqliteCatalog({ path: join(workDir, 'catalog.db') });
    const svc = new BackupService({
      hypervisor: hv,
      imageTool: new QemuImg(),
      catalog,
      fs: nodeFs,
      clock: systemClock,
      random: randomBytes,
      log: logger,
      storeRoot,
    });
    const domain = vm.uuid;
    const chainLength = 30;
    const pointBytes = (p: Point): number => p.disks.reduce((n, d) => n + (d.size ?? 0), 0);
    const check = (p: Point, kind: Point['kind']): Point => {
      if (p.state !== 'available' || p.kind !== kind)
        warnings.push(`point ${p.id}: expected an available ${kind}, got ${p.state} ${p.kind}`);
      return p;
    };

    // Full backup vs qemu-img convert, alternated so both see the same host cache state.
    const baselineCommand = `qemu-img convert -U -O qcow2 ${disk.path} <out>`;
    const backupMs: number[] = [];
    const baselineMs: number[] = [];
    const baselineWMs: number[] = [];
    const fullFreezeMs: (number | null)[] = [];
    let backupBytes = 0;
    let baselineBytes = 0;
    for (let i = 0; i < FULL_REPS; i++) {
      const out = join(workDir, `baseline-${i}.qcow2`);
      const b = await timed(() =>
        runCommand(['qemu-img', 'convert', '-U', '-O', 'qcow2', disk.path, out], { timeoutMs: 30 * 60_000 }),
      );
      baselineMs.push(b.ms);
      baselineBytes = (await stat(out)).blocks * 512;
      await rm(out, { force: true });
      const bw = await timed(() =>
        runCommand(['qemu-img', 'convert', '-U', '-W', '-O', 'qcow2', disk.path, out], {
          timeoutMs: 30 * 60_000,
        }),
      );
      baselineWMs.push(bw.ms);
      await rm(out, { force: true });
      const f = await timed(() => svc.backup({ domain, full: true, chainLength }));
      check(f.value, 'full');
      backupMs.push(f.ms);
      backupBytes = pointBytes(f.value);
      fullFreezeMs.push(f.value.freezeMs);
      log(
        `full #${i + 1}: backup ${fmtMs(f.ms)} (${fmtMiB(backupBytes)}, freeze ${f.value.freezeMs} ms), ` +
          `qemu-img convert ${fmtMs(b.ms)} (${fmtMiB(baselineBytes)}), with -W ${fmtMs(bw.ms)}`,
      );
    }
    const fullMedian = median(backupMs);
    const baselineMedian = median(baselineMs);

    // Incrementals after dirtying ~1 % of the data, scattered.
    const writes = Math.max(1, Math.round((fill.fillMiB * 1024 * 0.01) / DIRTY_KIB));
    const dirtyBytes = writes * DIRTY_KIB * 1024;
    const incrMs: number[] = [];
    const incrBytes: number[] = [];
    const incrFreezeMs: (number | null)[] = [];
    for (let i = 0; i < INCR_REPS; i++) {
      await dirtyGuest(vm, fill.fillMiB, writes, i);
      const r = await timed(() => svc.backup({ domain, chainLength }));
      check(r.value, 'incremental');
      incrMs.push(r.ms);
      incrBytes.push(pointBytes(r.value));
      incrFreezeMs.push(r.value.freezeMs);
      log(`incremental #${i + 1}: ${fmtMs(r.ms)}, ${fmtMiB(pointBytes(r.value))} written`);
    }

    // Freeze window over 20 incrementals, each after a small write so there is something to copy.
    const freezeMs: number[] = [];
    const tinyMs: number[] = [];
    for (let i = 0; i < FREEZE_SAMPLES; i++) {
      await vm.agent.sh(
        `dd if=/dev/urandom of=/mnt/vda/small-${i} bs=64K count=4 2>/dev/null && sync`,
        5 * 60_000,
      );
      const t = await timed(() => svc.backup({ domain, chainLength }));
      const p = check(t.value, 'incremental');
      tinyMs.push(t.ms);
      if (p.freezeMs === null) warnings.push(`point ${p.id}: no freeze window (${p.consistencyReason})`);
      else freezeMs.push(p.freezeMs);
    }

    const qemuImgVersion =
      (await runCommand(['qemu-img', '--version'])).stdout.toString().split('\n')[0] ?? '';
    const result: BackupBenchResult = {
      date: new Date().toISOString(),
      host: { qemuImg: qemuImgVersion, guest: 'virtpoint fixture guest, TCG, 1 vCPU, 256 MiB' },
      disk: { sizeMiB: DISK_MIB, format: 'qcow2', fillMiB: fill.fillMiB },
      fill: { ms: fill.ms, reduced: fill.reduced, probeMiBps: fill.probeMiBps },
      full: {
        backupMs,
        baselineMs,
        backupMedianMs: fullMedian,
        baselineMedianMs: baselineMedian,
        backupBytes,
        baselineBytes,
        ratio: Math.round((baselineMedian / fullMedian) * 1000) / 1000,
        baselineCommand,
        freezeMs: fullFreezeMs,
        baselineOutOfOrderMs: baselineWMs,
        baselineOutOfOrderMedianMs: median(baselineWMs),
        baselineNote:
          'the VM keeps running during the baseline (-U: no image lock); runs alternate baseline/backup, both from a warm host page cache',
      },
      incremental: {
        dirtyBytes,
        dirtyPercent: Math.round((dirtyBytes / (fill.fillMiB * MiB)) * 10000) / 100,
        backupMs: incrMs,
        bytesWritten: incrBytes,
        medianMs: median(incrMs),
        medianBytes: median(incrBytes),
        ratio: Math.round((median(incrMs) / fullMedian) * 10000) / 10000,
        freezeMs: incrFreezeMs,
        tinyIncrementalMedianMs: median(tinyMs),
      },
      freeze: {
        samples: freezeMs.length,
        ms: freezeMs,
        p50: percentile(freezeMs, 50),
        p95: percentile(freezeMs, 95),
        max: Math.max(...freezeMs),
      },
      warnings,
    };
    printTable(result);
    await mkdir(dirname(RESULTS), { recursive: true });
    await writeFile(RESULTS, JSON.stringify(result, null, 2) + '\n');
    log(`wrote ${RESULTS}`);
    return result;
  } finally {
    catalog?.close();
    await hv?.close().catch(() => undefined);
    await vm
      ?.remove()
      .catch((e: unknown) => console.error(`[bench/backup] could not remove the VM: ${String(e)}`));
    await rm(workDir, { recursive: true, force: true });
  }
}

function printTable(r: BackupBenchResult): void {
  const rows: [string, string, string][] = [
    [
      'data on disk',
      `${r.disk.fillMiB} MiB random${r.fill.reduced ? ' (reduced from 1 GiB: slow TCG)' : ''}`,
      '',
    ],
    ['full backup (median)', fmtMs(r.full.backupMedianMs), `${fmtMiB(r.full.backupBytes)} written`],
    [
      'qemu-img convert -U (median)',
      fmtMs(r.full.baselineMedianMs),
      `${fmtMiB(r.full.baselineBytes)} written`,
    ],
    ['  ratio baseline / backup', r.full.ratio.toFixed(3), 'target ≥ 0.9'],
    ['qemu-img convert -U -W (median)', fmtMs(r.full.baselineOutOfOrderMedianMs), 'informational'],
    [
      'incremental (median)',
      fmtMs(r.incremental.medianMs),
      `${fmtMiB(r.incremental.medianBytes)} written for ${fmtMiB(r.incremental.dirtyBytes)} dirtied (${r.incremental.dirtyPercent} %)`,
    ],
    ['  ratio incremental / full', r.incremental.ratio.toFixed(4), 'target ≤ 0.05'],
    [
      'tiny incremental (median)',
      fmtMs(r.incremental.tinyIncrementalMedianMs),
      '~256 KiB dirtied: fixed cost',
    ],
    ['freeze p50', fmtMs(r.freeze.p50), `${r.freeze.samples} backups`],
    ['freeze p95', fmtMs(r.freeze.p95), 'target ≤ 250 ms'],
    ['freeze max', fmtMs(r.freeze.max), ''],
  ];
  const w0 = Math.max(...rows.map((x) => x[0].length));
  const w1 = Math.max(...rows.map((x) => x[1].length));
  console.log('\nbench/backup');
  for (const [a, b, c] of rows) console.log(`  ${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`);
  console.log(
    `  full runs: backup ${r.full.backupMs.join('/')} ms, baseline ${r.full.baselineMs.join('/')} ms`,
  );
  console.log(
    `  full runs: freeze ${r.full.freezeMs.join('/')} ms, qemu-img -W ${r.full.baselineOutOfOrderMs.join('/')} ms`,
  );
  console.log(
    `  incremental runs: ${r.incremental.backupMs.join('/')} ms (freeze ${r.incremental.freezeMs.join('/')} ms)`,
  );
  if (r.warnings.length > 0) console.log(`  warnings:\n    ${r.warnings.join('\n    ')}`);
  console.log('');
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await run();
}
