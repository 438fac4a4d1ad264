import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LibvirtHypervisor } from '../src/adapters/libvirt/hypervisor.js';
import { nodeFs, systemClock } from '../src/adapters/node-fs.js';
import { runCommand } from '../src/adapters/process/run-command.js';
import { QemuImg } from '../src/adapters/qemu-img/qemu-img.js';
import { SqliteCatalog } from '../src/adapters/sqlite/sqlite-catalog.js';
import { resolveStorePath } from '../src/core/store-layout.js';
import type { Point } from '../src/ports/catalog.js';
import type { Logger } from '../src/ports/logger.js';
import { BackupService } from '../src/service/backup/backup.js';
import { RollbackService } from '../src/service/restore/rollback.js';
import { VolumeService } from '../src/service/restore/volumes.js';
import { prepareRunDir, RUN_DIR } from '../test/helpers/run-dir.js';
import { createTestVm, type TestVm } from '../test/helpers/test-vm.js';

/**
 * bench/restore (issue 6): on a throwaway TCG fixture VM whose data disk holds ~1 GiB of random
 * data (512 MiB on a slow guest), with a chain of a full and 3 incrementals, measures
 *   - create-volume (qcow2, into a directory) from the newest point vs `qemu-img convert -O qcow2`
 *     of that point's file (its backing chain followed: the same flattened chain), alternated;
 *   - rollback of the (shut off) domain to the newest point vs the same baseline — the VM is off
 *     so the time is the restore's own, not the guest's shutdown;
 *     ratio = baseline / ours (target ≥ 0.9);
 *   - create-volume from point 30 vs point 1 of a 30-point chain (small writes between points)
 *     → ratio point30 / point1 (target ≤ 1.2).
 * Prints a table and writes bench/results/restore.json. Reports only: never fails on a number.
 */

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const RESULTS = join(BENCH_DIR, 'results', 'restore.json');

const MiB = 1024 * 1024;
const DISK_MIB = 1536;
const FILL_MIB = 1024;
const REDUCED_FILL_MIB = 512;
const MAX_FILL_MS = 12 * 60_000;
const PROBE_MIB = 64;
const INCREMENTALS = 3;
const REPS = 5;
const LONG_CHAIN = 30;
const GUEST_FILE = '/mnt/vda/fill';

interface Pair {
  readonly oursMs: number[];
  readonly baselineMs: number[];
  readonly oursMedianMs: number;
  readonly baselineMedianMs: number;
  /** baseline / ours (target ≥ 0.9). */
  readonly ratio: number;
}

export interface RestoreBenchResult {
  readonly date: string;
  readonly host: { readonly qemuImg: string };
  readonly disk: { readonly sizeMiB: number; readonly fillMiB: number; readonly reduced: boolean };
  readonly chain: { readonly points: number; readonly newestFileMiB: number };
  readonly baselineCommand: string;
  readonly createVolume: Pair;
  /** Informational: the baseline followed by `sync FILE` (virtpoint fsyncs what it writes). */
  readonly baselineFsync: { readonly ms: number[]; readonly medianMs: number };
  readonly rollback: Pair;
  readonly longChain: {
    readonly chainLength: number;
    readonly point1Ms: number[];
    readonly point30Ms: number[];
    readonly point1MedianMs: number;
    readonly point30MedianMs: number;
    /** point 30 / point 1 (target ≤ 1.2). */
    readonly ratio: number;
  };
  readonly warnings: string[];
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: Math.round(performance.now() - start), value };
}

const round4 = (x: number): number => Math.round(x * 10000) / 10000;
const log = (msg: string): void => console.log(`[bench/restore] ${msg}`);

function pair(oursMs: number[], baselineMs: number[]): Pair {
  const oursMedianMs = median(oursMs);
  const baselineMedianMs = median(baselineMs);
  return {
    oursMs,
    baselineMs,
    oursMedianMs,
    baselineMedianMs,
    ratio: round4(baselineMedianMs / oursMedianMs),
  };
}

async function fillGuest(vm: TestVm): Promise<{ fillMiB: number; reduced: boolean }> {
  const dd = (count: number, seek: number): string =>
    `dd if=/dev/urandom of=${GUEST_FILE} bs=1M count=${count} seek=${seek} conv=notrunc 2>/dev/null && sync`;
  const probe = await timed(() => vm.agent.sh(dd(PROBE_MIB, 0), 10 * 60_000));
  const reduced = (FILL_MIB / PROBE_MIB) * probe.ms > MAX_FILL_MS;
  const fillMiB = reduced ? REDUCED_FILL_MIB : FILL_MIB;
  await vm.agent.sh(dd(fillMiB - PROBE_MIB, PROBE_MIB), 30 * 60_000);
  return { fillMiB, reduced };
}

/** A small write (1 MiB at a different place each time) between two points. */
const smallWrite = (vm: TestVm, i: number, fillMiB: number) =>
  vm.agent.sh(
    `dd if=/dev/urandom of=${GUEST_FILE} bs=1M count=1 seek=${(i * 37) % fillMiB} conv=notrunc 2>/dev/null && sync`,
    120_000,
  );

export async function run(): Promise<RestoreBenchResult> {
  await prepareRunDir();
  const workDir = join(RUN_DIR, `bench-restore-${process.pid}`);
  const volDir = join(workDir, 'volumes');
  const outDir = join(workDir, 'baseline');
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
    await mkdir(volDir, { recursive: true });
    await mkdir(outDir, { recursive: true });
    const storeRoot = join(workDir, 'store');
    log(`creating the fixture VM (${DISK_MIB} MiB ext4 qcow2 data disk) under ${RUN_DIR}`);
    vm = await createTestVm({ label: 'bench-restore', disks: [{ sizeMiB: DISK_MIB }], memoryMiB: 256 });
    const fill = await fillGuest(vm);
    log(`filled ${fill.fillMiB} MiB`);

    hv = await LibvirtHypervisor.connect();
    catalog = new SqliteCatalog({ path: join(workDir, 'catalog.db') });
    const common = {
      hypervisor: hv,
      imageTool: new QemuImg(),
      catalog,
      fs: nodeFs,
      clock: systemClock,
      random: randomBytes,
      log: logger,
      storeRoot,
    };
    const backup = new BackupService(common);
    const restore = new RollbackService({ ...common, locks: backup.locks });
    const volumes = new VolumeService({ ...common, pools: hv, allowedVolumeDirs: [volDir] });
    const domain = vm.uuid;
    const file = (p: Point): string => resolveStorePath(storeRoot, p.disks[0]!.path);
    let n = 0;
    // Every timed run starts with no dirty pages left by the previous one (untimed `sync`).
    const settle = () => runCommand(['sync'], { timeoutMs: 10 * 60_000 });
    /** `qemu-img convert` of the point's file; `fsync`: then `sync FILE` (what virtpoint's writes do). */
    const baseline = async (p: Point, fsync = false): Promise<number> => {
      const out = join(outDir, `flat-${n++}.qcow2`);
      await settle();
      const t = await timed(async () => {
        await runCommand(['qemu-img', 'convert', '-O', 'qcow2', file(p), out], { timeoutMs: 30 * 60_000 });
        if (fsync) await runCommand(['sync', out], { timeoutMs: 10 * 60_000 });
      });
      await rm(out, { force: true });
      return t.ms;
    };
    const createVolume = async (p: Point): Promise<number> => {
      const name = `vol-${n++}.qcow2`;
      await settle();
      const t = await timed(() => volumes.createVolume({ pointId: p.id, disk: 'vda', name, dir: volDir }));
      await volumes.deleteVolume(t.value.id);
      return t.ms;
    };

    // A chain of a full and a few incrementals.
    let newest = await backup.backup({ domain, chainLength: LONG_CHAIN });
    for (let i = 0; i < INCREMENTALS; i++) {
      await smallWrite(vm, i, fill.fillMiB);
      newest = await backup.backup({ domain });
    }
    const newestFile = (await runCommand(['stat', '-c', '%s', file(newest)])).stdout.toString().trim();
    log(`chain of ${INCREMENTALS + 1} points; create-volume vs qemu-img convert, ${REPS} rounds`);
    const cvMs: number[] = [];
    const cvBase: number[] = [];
    const syncedBase: number[] = [];
    await baseline(newest); // warm the host page cache for both
    for (let i = 0; i < REPS; i++) {
      cvBase.push(await baseline(newest));
      cvMs.push(await createVolume(newest));
      syncedBase.push(await baseline(newest, true));
    }

    log('rollback of the shut-off domain vs qemu-img convert');
    await vm.shutdown(120_000);
    const rbMs: number[] = [];
    const rbBase: number[] = [];
    for (let i = 0; i < REPS; i++) {
      rbBase.push(await baseline(newest));
      await settle();
      rbMs.push(
        (await timed(() => restore.rollback({ domain, pointId: newest.id, start: false, disks: ['vda'] })))
          .ms,
      );
    }
    await vm.start();

    log(`a ${LONG_CHAIN}-point chain with small writes between points`);
    const chain: Point[] = [await backup.backup({ domain, chainLength: LONG_CHAIN })];
    for (let i = 1; i < LONG_CHAIN; i++) {
      await smallWrite(vm, 100 + i, fill.fillMiB);
      chain.push(await backup.backup({ domain }));
    }
    const first = chain[0]!;
    const last = chain[LONG_CHAIN - 1]!;
    if (last.chainId !== first.chainId || last.seq !== LONG_CHAIN - 1) {
      warnings.push(`expected one chain of ${LONG_CHAIN}, the last point is seq ${last.seq}`);
    }
    const p1Ms: number[] = [];
    const p30Ms: number[] = [];
    await createVolume(first);
    for (let i = 0; i < REPS; i++) {
      p1Ms.push(await createVolume(first));
      p30Ms.push(await createVolume(last));
    }

    const qemuImg = (await runCommand(['qemu-img', '--version'])).stdout.toString().split('\n')[0] ?? '';
    const result: RestoreBenchResult = {
      date: new Date().toISOString(),
      host: { qemuImg },
      disk: { sizeMiB: DISK_MIB, fillMiB: fill.fillMiB, reduced: fill.reduced },
      chain: { points: INCREMENTALS + 1, newestFileMiB: Math.round(Number(newestFile) / MiB) },
      baselineCommand: 'qemu-img convert -O qcow2 <newest point file> <out>',
      createVolume: pair(cvMs, cvBase),
      baselineFsync: { ms: syncedBase, medianMs: median(syncedBase) },
      rollback: pair(rbMs, rbBase),
      longChain: {
        chainLength: LONG_CHAIN,
        point1Ms: p1Ms,
        point30Ms: p30Ms,
        point1MedianMs: median(p1Ms),
        point30MedianMs: median(p30Ms),
        ratio: round4(median(p30Ms) / median(p1Ms)),
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
      .catch((e: unknown) => console.error(`[bench/restore] could not remove the VM: ${String(e)}`));
    await rm(workDir, { recursive: true, force: true });
  }
}

function printTable(r: RestoreBenchResult): void {
  const ms = (x: number): string => `${x.toFixed(0)} ms`;
  const rows: [string, string, string, string][] = [
    ['measure', 'virtpoint', 'baseline', 'ratio (target)'],
    [
      'create-volume, newest of 4 points',
      ms(r.createVolume.oursMedianMs),
      ms(r.createVolume.baselineMedianMs),
      `${r.createVolume.ratio.toFixed(2)}× (≥ 0.9)`,
    ],
    [
      'qemu-img convert + fsync (informational)',
      '',
      ms(r.baselineFsync.medianMs),
      `${(r.baselineFsync.medianMs / r.createVolume.oursMedianMs).toFixed(2)}× vs create-volume`,
    ],
    [
      'rollback (VM off), newest of 4 points',
      ms(r.rollback.oursMedianMs),
      ms(r.rollback.baselineMedianMs),
      `${r.rollback.ratio.toFixed(2)}× (≥ 0.9)`,
    ],
    [
      `create-volume, point 30 vs point 1`,
      ms(r.longChain.point30MedianMs),
      ms(r.longChain.point1MedianMs),
      `${r.longChain.ratio.toFixed(2)}× (≤ 1.2)`,
    ],
  ];
  const w = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => row[i]!.length)));
  console.log(`\n${r.disk.fillMiB} MiB random data; baseline: ${r.baselineCommand}`);
  for (const row of rows) console.log(row.map((c, i) => c.padEnd(w[i]!)).join('  '));
  if (r.warnings.length > 0) console.log(`warnings:\n  ${r.warnings.join('\n  ')}`);
  console.log('');
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await run();
}
