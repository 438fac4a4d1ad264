import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LibvirtHypervisor } from '../src/adapters/libvirt/hypervisor.js';
import { nodeFs, systemClock } from '../src/adapters/node-fs.js';
import { QemuImg } from '../src/adapters/qemu-img/qemu-img.js';
import { SqliteCatalog } from '../src/adapters/sqlite/sqlite-catalog.js';
import { BackupService } from '../src/service/backup/backup.js';
import { prepareRunDir, RUN_DIR } from '../test/helpers/run-dir.js';
import { collectingLogger } from './logger.js';
import { createTestVm, type TestVm } from '../test/helpers/test-vm.js';
import { formatTarget, percentile, summarize, type Target } from './stats.js';

/**
 * bench/freeze (issue 16): the freeze window of 4 VMs backed up at the same time (one service,
 * as the daemon runs them with job_concurrency 4), after a small write in each guest so every
 * incremental has something to copy; and the same VMs one at a time, interleaved by round.
 * p95 of the concurrent windows against the target (≤ 150 ms). `--quick`: 3 rounds.
 * Writes bench/results/freeze.json.
 */

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const RESULTS = join(BENCH_DIR, 'results', 'freeze.json');
const QUICK = process.argv.includes('--quick');
const ROUNDS = QUICK ? 3 : 5;
const VMS = 4;
const HOUR = 3_600_000;

export async function run(): Promise<unknown> {
  await prepareRunDir();
  const workDir = join(RUN_DIR, `bench-freeze-${process.pid}`);
  const warnings: string[] = [];
  const logger = collectingLogger(warnings);
  const vms: TestVm[] = [];
  let hv: LibvirtHypervisor | undefined;
  let catalog: SqliteCatalog | undefined;
  try {
    await mkdir(workDir, { recursive: true });
    console.log(`[bench/freeze] ${VMS} fixture VMs, ${ROUNDS} rounds`);
    const made = await Promise.allSettled(
      Array.from({ length: VMS }, (_, i) =>
        createTestVm({ label: `bench-freeze${i}`, disks: [{ sizeMiB: 64, fs: 'ext4' }], memoryMiB: 256 }),
      ),
    );
    for (const m of made) if (m.status === 'fulfilled') vms.push(m.value);
    const failed = made.find((m) => m.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
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
      storeRoot: join(workDir, 'store'),
    });
    const write = (vm: TestVm, r: number) =>
      vm.agent.sh(`dd if=/dev/urandom of=/mnt/vda/w${r} bs=64K count=4 2>/dev/null && sync`, HOUR);
    const freezeOf = async (vm: TestVm) => {
      const p = await svc.backup({ domain: vm.uuid });
      if (p.freezeMs === null) warnings.push(`${vm.name}: no freeze (${p.consistencyReason})`);
      return p.freezeMs ?? NaN;
    };
    await Promise.all(vms.map((vm) => svc.backup({ domain: vm.uuid, full: true }))); // the chains
    const together: number[] = [];
    const alone: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 === 0 ? ['together', 'alone'] : ['alone', 'together'];
      for (const mode of order) {
        await Promise.all(vms.map((vm) => write(vm, r * 2 + (mode === 'alone' ? 1 : 0))));
        if (mode === 'together') together.push(...(await Promise.all(vms.map(freezeOf))));
        else for (const vm of vms) alone.push(await freezeOf(vm));
      }
      console.log(`[bench/freeze] round ${r + 1}/${ROUNDS}: together ${together.slice(-VMS).join('/')} ms`);
    }
    const targets: Target[] = [
      {
        name: `freeze window p95, ${VMS} VMs at once`,
        value: percentile(together, 95),
        op: '<=',
        goal: 150,
        unit: ' ms',
      },
    ];
    const result = {
      date: new Date().toISOString(),
      rounds: ROUNDS,
      together: summarize(together),
      alone: summarize(alone),
      samples: { together, alone },
      targets: targets.map((t) => ({ ...t, met: formatTarget(t).startsWith('met') })),
      warnings,
    };
    console.log('\nbench/freeze');
    for (const k of ['together', 'alone'] as const) {
      const x = result[k];
      console.log(`  ${k.padEnd(9)} median ${x.median} ms  min ${x.min}  max ${x.max}  p95 ${x.p95}`);
    }
    for (const t of targets) console.log(`  ${formatTarget(t)}`);
    console.log('');
    await mkdir(dirname(RESULTS), { recursive: true });
    await writeFile(RESULTS, JSON.stringify(result, null, 2) + '\n');
    return result;
  } finally {
    catalog?.close();
    await hv?.close().catch(() => undefined);
    for (const vm of vms)
      await vm
        .remove()
        .catch((e: unknown) => console.error(`[bench/freeze] could not remove a VM: ${String(e)}`));
    await rm(workDir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await run();
}
