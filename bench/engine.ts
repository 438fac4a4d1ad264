import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LibvirtHypervisor } from '../src/adapters/libvirt/hypervisor.js';
import { nodeFs, systemClock } from '../src/adapters/node-fs.js';
import { runCommand } from '../src/adapters/process/run-command.js';
import { QemuImg } from '../src/adapters/qemu-img/qemu-img.js';
import { SqliteCatalog } from '../src/adapters/sqlite/sqlite-catalog.js';
import { chainDir, resolveStorePath } from '../src/core/store-layout.js';
import type { Point } from '../src/ports/catalog.js';
import type { Hypervisor } from '../src/ports/hypervisor.js';
import { BackupService } from '../src/service/backup/backup.js';
import { RollbackService } from '../src/service/restore/rollback.js';
import { VolumeService } from '../src/service/restore/volumes.js';
import { prepareRunDir, RUN_DIR } from '../test/helpers/run-dir.js';
import { collectingLogger } from './logger.js';
import { createTestVm, type TestVm } from '../test/helpers/test-vm.js';
import { formatTarget, median, rotation, speedRatio, summarize, type Summary, type Target } from './stats.js';

/**
 * bench/engine (issue 16): the backup and restore engine against its peers, honestly. Two TCG
 * fixture VMs with the same data disk (random data): ours, and a twin for virtnbdbackup (it
 * refuses checkpoints it did not make). Every case runs its tools interleaved, the order rotated
 * each round (stats.ts rotation); before every timed step the page cache of the files it reads is
 * dropped (`dd iflag=nocache count=0`: posix_fadvise DONTNEED, unprivileged); every tool that
 * does not fsync its output gets a `sync FILE…` (fsync) counted in its time. virtpoint's own time
 * is the service call (what the daemon does for a job; no CLI, no HTTP). `--quick`: small disk,
 * 3 rounds. Writes bench/results/engine.json; prints median/min/max, the ratios and the targets.
 */

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const RESULTS = join(BENCH_DIR, 'results', 'engine.json');
const QUICK = process.argv.includes('--quick');
const ROUNDS = QUICK ? 3 : 5;
const DISK_MIB = QUICK ? 256 : 1024;
const FILL_MIB = QUICK ? 128 : 768;
const DIRTY_MIB = QUICK ? 8 : 32;
/** The long chain's length: the create-volume case compares its last point with its first. */
const LONG = QUICK ? 13 : 30;
const GUEST_FILE = '/mnt/vda/fill';
const HOUR = 3_600_000;

type Sample = Record<string, number[]>;

function log(msg: string): void {
  console.log(`[bench/engine] ${msg}`);
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: Math.round((performance.now() - start) * 10) / 10, value };
}

/** Drops the page cache of files (posix_fadvise DONTNEED through dd; works unprivileged). */
async function dropCache(paths: readonly string[]): Promise<void> {
  for (const p of paths) await runCommand(['dd', `if=${p}`, 'iflag=nocache', 'count=0', 'status=none']);
}

/** fsync of each file (coreutils `sync FILE…`): the flush a tool that does not sync itself owes. */
async function fsyncFiles(paths: readonly string[]): Promise<void> {
  if (paths.length > 0) await runCommand(['sync', ...paths], { timeoutMs: HOUR });
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(join(e.parentPath ?? dir, e.name));
  }
  return out;
}

/** Writes all dirty pages of the host out, untimed, so no tool pays for the previous one's. */
const settle = () => runCommand(['sync'], { timeoutMs: HOUR });

/** Times of the hypervisor calls of one backup: where the daemon's time goes. */
interface CallTimes {
  readonly calls: { method: string; start: number; end: number }[];
}

function timedHypervisor(hv: Hypervisor, rec: CallTimes): Hypervisor {
  return new Proxy(hv, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        const start = performance.now();
        const out = (v as (...a: unknown[]) => unknown).apply(target, args);
        if (out instanceof Promise) {
          return out.finally(() => rec.calls.push({ method: String(prop), start, end: performance.now() }));
        }
        return out;
      };
    },
  });
}

/** The split of one backup: freeze window, libvirt job (backupBegin → job end), our own awaits. */
function split(rec: CallTimes, totalMs: number, freezeMs: number | null) {
  const first = (m: string) => rec.calls.find((c) => c.method === m);
  const begin = first('beginBackup');
  const after = rec.calls.find(
    (c) => c.method === 'agentCommand' && begin !== undefined && c.start >= begin.end,
  );
  const jobMs = begin && after ? after.start - begin.end : NaN;
  const freeze = freezeMs ?? 0;
  const dur = (m: string) => {
    const c = first(m);
    return c ? Math.round(c.end - c.start) : NaN;
  };
  return {
    freezeMs: freeze,
    jobMs: Math.round(jobMs),
    oursMs: Math.round(totalMs - freeze - jobMs),
    // inside the freeze window: the agent's freeze, libvirt's backupBegin, the agent's thaw
    agentFreezeMs: dur('freezeFilesystems'),
    backupBeginMs: dur('beginBackup'),
    agentThawMs: dur('thawFilesystems'),
  };
}

async function fill(vm: TestVm, mib: number): Promise<void> {
  await vm.agent.sh(`dd if=/dev/urandom of=${GUEST_FILE} bs=1M count=${mib} 2>/dev/null && sync`, HOUR);
}

async function dirty(vm: TestVm, mib: number, round: number): Promise<void> {
  const seek = (round * mib) % Math.max(1, FILL_MIB - mib);
  await vm.agent.sh(
    `dd if=/dev/urandom of=${GUEST_FILE} bs=1M count=${mib} seek=${seek} conv=notrunc 2>/dev/null && sync`,
    HOUR,
  );
}

/** Runs `rounds` rounds of the tools, interleaved and rotated; `before` runs untimed first. */
async function interleaved(
  name: string,
  tools: Record<string, () => Promise<number>>,
  rounds = ROUNDS,
  before?: (round: number) => Promise<void>,
): Promise<Sample> {
  const out: Sample = Object.fromEntries(Object.keys(tools).map((k) => [k, []]));
  for (let r = 0; r < rounds; r++) {
    await before?.(r);
    for (const tool of rotation(Object.keys(tools), r)) {
      await settle();
      const ms = await tools[tool]!();
      out[tool]!.push(ms);
      log(`${name} round ${r + 1}/${rounds}: ${tool} ${ms.toFixed(0)} ms`);
    }
  }
  return out;
}

export async function run(): Promise<unknown> {
  await prepareRunDir();
  const workDir = join(RUN_DIR, `bench-engine-${process.pid}`);
  const warnings: string[] = [];
  const logger = collectingLogger(warnings);
  let vm: TestVm | undefined;
  let twin: TestVm | undefined;
  let hv: LibvirtHypervisor | undefined;
  let catalog: SqliteCatalog | undefined;
  try {
    const storeRoot = join(workDir, 'store');
    const outDir = join(workDir, 'out');
    const volDir = join(workDir, 'vols');
    await mkdir(outDir, { recursive: true });
    await mkdir(volDir, { recursive: true });
    log(`${QUICK ? 'quick: ' : ''}two fixture VMs, ${DISK_MIB} MiB qcow2 data disk, ${FILL_MIB} MiB random`);
    [vm, twin] = await Promise.all([
      createTestVm({ label: 'bench-engine', disks: [{ sizeMiB: DISK_MIB, fs: 'ext4' }], memoryMiB: 256 }),
      createTestVm({ label: 'bench-nbd', disks: [{ sizeMiB: DISK_MIB, fs: 'ext4' }], memoryMiB: 256 }),
    ]);
    const ours = vm;
    const peer = twin;
    await Promise.all([fill(ours, FILL_MIB), fill(peer, FILL_MIB)]);
    const disk = ours.disks[0]!.path;
    const peerDisk = peer.disks[0]!.path;

    hv = await LibvirtHypervisor.connect();
    catalog = new SqliteCatalog({ path: join(workDir, 'catalog.db') });
    const rec: CallTimes = { calls: [] };
    const common = {
      hypervisor: timedHypervisor(hv, rec),
      imageTool: new QemuImg(),
      catalog,
      fs: nodeFs,
      clock: systemClock,
      random: randomBytes,
      log: logger,
      storeRoot,
    };
    const svc = new BackupService(common);
    const volumes = new VolumeService({ ...common, pools: hv, allowedVolumeDirs: [volDir] });
    const restore = new RollbackService({ ...common, locks: svc.locks });
    const domain = ours.uuid;
    let n = 0;
    const chainFiles = async (p: Point) =>
      filesUnder(resolveStorePath(storeRoot, chainDir(p.domainUuid, p.chainId)));
    const pointFile = (p: Point) => resolveStorePath(storeRoot, p.disks[0]!.path);

    // --- full backup
    let nbdDir = '';
    const backupOurs = async (full: boolean): Promise<{ ms: number; point: Point }> => {
      await dropCache([disk]);
      rec.calls.length = 0;
      const t = await timed(() => svc.backup({ domain, full, chainLength: LONG }));
      if (t.value.state !== 'available') warnings.push(`point ${t.value.id} is ${t.value.state}`);
      return { ms: t.ms, point: t.value };
    };
    const nbd = async (level: 'full' | 'inc'): Promise<number> => {
      if (level === 'full') nbdDir = join(outDir, `nbd-${n++}`);
      await dropCache([peerDisk]);
      const before = new Set(level === 'inc' ? await filesUnder(nbdDir) : []);
      const t = await timed(async () => {
        await runCommand(['virtnbdbackup', '-d', peer.name, '-l', level, '-o', nbdDir, '-n'], {
          timeoutMs: HOUR,
        });
        await fsyncFiles((await filesUnder(nbdDir)).filter((f) => !before.has(f)));
      });
      return t.ms;
    };
    let lastFull: Point | undefined;
    const full = await interleaved('full', {
      virtpoint: async () => {
        const r = await backupOurs(true);
        lastFull = r.point;
        return r.ms;
      },
      'qemu-img+sync': async () => {
        const out = join(outDir, `qi-${n++}.qcow2`);
        await dropCache([disk]);
        const t = await timed(async () => {
          await runCommand(['qemu-img', 'convert', '-U', '-O', 'qcow2', disk, out], { timeoutMs: HOUR });
          await fsyncFiles([out]);
        });
        await rm(out, { force: true });
        return t.ms;
      },
      'virtnbdbackup+sync': () => nbd('full'),
    });

    // --- incremental, nothing dirty: the fixed cost, split
    const splits: ReturnType<typeof split>[] = [];
    const incr0 = await interleaved('incremental 0 dirty', {
      virtpoint: async () => {
        const r = await backupOurs(false);
        splits.push(split(rec, r.ms, r.point.freezeMs));
        return r.ms;
      },
      'virtnbdbackup+sync': () => nbd('inc'),
    });

    // --- incremental with DIRTY_MIB dirty in both guests
    const incrD = await interleaved(
      `incremental ${DIRTY_MIB} MiB dirty`,
      {
        virtpoint: async () => (await backupOurs(false)).ms,
        'virtnbdbackup+sync': () => nbd('inc'),
      },
      ROUNDS,
      (r) => Promise.all([dirty(ours, DIRTY_MIB, r), dirty(peer, DIRTY_MIB, r)]).then(() => undefined),
    );

    // --- create-volume: the chain's first point vs its point LONG, and the peers
    let newest = (await svc.backup({ domain, chainLength: LONG })) as Point;
    while (newest.seq < LONG - 1) {
      await ours.agent.sh(`dd if=/dev/urandom of=/mnt/vda/small bs=64K count=2 2>/dev/null && sync`, HOUR);
      newest = await svc.backup({ domain, chainLength: LONG });
    }
    if (lastFull === undefined || newest.chainId !== lastFull.chainId)
      warnings.push('the long chain is not the last full chain');
    const first = catalog.listPoints({ chainId: newest.chainId })[0]!;
    const createVolume = async (p: Point): Promise<number> => {
      await dropCache(await chainFiles(p));
      const t = await timed(() =>
        volumes.createVolume({
          pointId: p.id,
          disk: p.disks[0]!.target,
          name: `v-${n++}.qcow2`,
          dir: volDir,
        }),
      );
      await volumes.deleteVolume(t.value.id);
      return t.ms;
    };
    const convertSynced = async (files: string[], source: string): Promise<number> => {
      const out = join(outDir, `cv-${n++}.qcow2`);
      await dropCache(files);
      const t = await timed(async () => {
        await runCommand(['qemu-img', 'convert', '-O', 'qcow2', source, out], { timeoutMs: HOUR });
        await fsyncFiles([out]);
      });
      await rm(out, { force: true });
      return t.ms;
    };
    const nbdRestore = async (): Promise<number> => {
      const out = join(outDir, `nr-${n++}`);
      await dropCache(await filesUnder(nbdDir));
      const t = await timed(async () => {
        await runCommand(['virtnbdrestore', '-i', nbdDir, '-o', out, '-n'], { timeoutMs: HOUR });
        await fsyncFiles(await filesUnder(out));
      });
      await rm(out, { recursive: true, force: true });
      return t.ms;
    };
    const cv = await interleaved('create-volume', {
      [`virtpoint point 1`]: () => createVolume(first),
      [`virtpoint point ${LONG}`]: () => createVolume(newest),
      'qemu-img+sync': async () => convertSynced(await chainFiles(newest), pointFile(newest)),
      'virtnbdrestore+sync': nbdRestore,
    });

    // --- rollback of the shut-off domain
    await ours.shutdown(10 * 60_000);
    const rb = await interleaved('rollback', {
      virtpoint: async () => {
        await dropCache(await chainFiles(newest));
        return (await timed(() => restore.rollback({ domain, pointId: newest.id, start: false }))).ms;
      },
      'qemu-img+sync': async () => convertSynced(await chainFiles(newest), pointFile(newest)),
      'virtnbdrestore+sync': nbdRestore,
    });

    const s = (x: Sample) => Object.fromEntries(Object.entries(x).map(([k, v]) => [k, summarize(v)]));
    const m = (x: Sample, k: string) => median(x[k] ?? []);
    const perMiB = (tool: string) => (m(incrD, tool) - m(incr0, tool)) / DIRTY_MIB;
    const daemonFixed = median(splits.map((x) => x.freezeMs + x.oursMs + x.jobMs));
    const targets: Target[] = [
      {
        name: 'full backup vs qemu-img convert + sync',
        value: speedRatio(m(full, 'qemu-img+sync'), m(full, 'virtpoint')),
        op: '>=',
        goal: 1,
        unit: '×',
      },
      {
        name: 'full backup vs virtnbdbackup + sync',
        value: speedRatio(m(full, 'virtnbdbackup+sync'), m(full, 'virtpoint')),
        op: '>=',
        goal: 3,
        unit: '×',
      },
      {
        name: 'incremental 0 dirty: daemon fixed cost (freeze + job + ours)',
        value: daemonFixed,
        op: '<=',
        goal: 50,
        unit: ' ms',
      },
      {
        name: `create-volume (point ${LONG}) vs qemu-img convert + sync`,
        value: speedRatio(m(cv, 'qemu-img+sync'), m(cv, `virtpoint point ${LONG}`)),
        op: '>=',
        goal: 1,
        unit: '×',
      },
      {
        name: 'rollback vs qemu-img convert + sync',
        value: speedRatio(m(rb, 'qemu-img+sync'), m(rb, 'virtpoint')),
        op: '>=',
        goal: 0.95,
        unit: '×',
      },
      {
        name: `create-volume point ${LONG} / point 1`,
        value: m(cv, `virtpoint point ${LONG}`) / m(cv, 'virtpoint point 1'),
        op: '<=',
        goal: 1.1,
        unit: '×',
      },
    ];
    const loadavg = (await runCommand(['cat', '/proc/loadavg'])).stdout.toString().trim();
    const result = {
      date: new Date().toISOString(),
      quick: QUICK,
      rounds: ROUNDS,
      loadavg,
      disk: { sizeMiB: DISK_MIB, fillMiB: FILL_MIB, dirtyMiB: DIRTY_MIB, longChain: LONG },
      full: s(full),
      incremental0: s(incr0),
      incremental0Split: {
        freezeMs: summarize(splits.map((x) => x.freezeMs)),
        libvirtJobMs: summarize(splits.map((x) => x.jobMs)),
        oursMs: summarize(splits.map((x) => x.oursMs)),
        agentFreezeMs: summarize(splits.map((x) => x.agentFreezeMs)),
        backupBeginMs: summarize(splits.map((x) => x.backupBeginMs)),
        agentThawMs: summarize(splits.map((x) => x.agentThawMs)),
      },
      incrementalDirty: s(incrD),
      perDirtyMiBMs: { virtpoint: perMiB('virtpoint'), virtnbdbackup: perMiB('virtnbdbackup+sync') },
      createVolume: s(cv),
      rollback: s(rb),
      targets: targets.map((t) => ({ ...t, met: formatTarget(t).startsWith('met') })),
      warnings,
    };
    print(result, targets);
    await mkdir(dirname(RESULTS), { recursive: true });
    await writeFile(RESULTS, JSON.stringify(result, null, 2) + '\n');
    log(`wrote ${RESULTS}`);
    return result;
  } finally {
    catalog?.close();
    await hv?.close().catch(() => undefined);
    for (const v of [vm, twin])
      await v
        ?.remove()
        .catch((e: unknown) => console.error(`[bench/engine] could not remove a VM: ${String(e)}`));
    await rm(workDir, { recursive: true, force: true });
  }
}

function print(r: { loadavg: string; [k: string]: unknown }, targets: readonly Target[]): void {
  const row = (name: string, x: Summary) =>
    `    ${name.padEnd(24)} median ${x.median.toFixed(0).padStart(6)} ms  min ${x.min.toFixed(0).padStart(6)}  max ${x.max.toFixed(0).padStart(6)}`;
  console.log(`\nbench/engine (load average at the end: ${r.loadavg})`);
  for (const key of ['full', 'incremental0', 'incrementalDirty', 'createVolume', 'rollback']) {
    console.log(`  ${key}`);
    for (const [tool, x] of Object.entries(r[key] as Record<string, Summary>)) console.log(row(tool, x));
  }
  const sp = r.incremental0Split as Record<string, Summary>;
  console.log(
    `  incremental 0 dirty, daemon split (medians): freeze ${sp.freezeMs!.median} ms, libvirt job ${sp.libvirtJobMs!.median} ms, ours ${sp.oursMs!.median} ms`,
  );
  console.log(
    `  inside the freeze window (medians): agent freeze ${sp.agentFreezeMs!.median} ms, backupBegin ${sp.backupBeginMs!.median} ms, agent thaw ${sp.agentThawMs!.median} ms`,
  );
  const pm = r.perDirtyMiBMs as Record<string, number>;
  console.log(
    `  per dirty MiB: virtpoint ${pm.virtpoint!.toFixed(2)} ms, virtnbdbackup ${pm.virtnbdbackup!.toFixed(2)} ms`,
  );
  console.log('  targets:');
  for (const t of targets) console.log(`    ${formatTarget(t)}`);
  console.log('');
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await run();
}
