import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { UtilLinuxMounter } from '../src/adapters/mounter/mounter.js';
import { runCommand } from '../src/adapters/process/run-command.js';
import { QemuStorageDaemon } from '../src/adapters/qsd/storage-daemon.js';
import {
  choosePartition,
  FS_PROBE_BYTES,
  PARTITION_PROBE_BYTES,
  parsePartitions,
  probeFilesystem,
} from '../src/core/partitions.js';
import { prepareRunDir, RUN_DIR } from '../test/helpers/run-dir.js';

/**
 * bench/mount (issue 15): time from "mount" to the first byte of a file read from the mounted
 * point, for point 1 (the full, one qcow2 file) and point 30 (the 30th file of a chain: 29
 * overlays over the full, each with 4 MiB of changes outside the filesystem), interleaved over
 * 5 rounds, medians. The steps are the ones `point mount` runs (service/mount/mounts.ts, without
 * its catalog writes): qemu-storage-daemon FUSE export, partition table and filesystem probe,
 * read-only loop, `mount -o ro,noload`, then the read of a 1 MiB file; unmount after each.
 * Writes bench/results/mount.json; reports only.
 */

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const RESULTS = join(BENCH_DIR, 'results', 'mount.json');
const ROUNDS = 5;
const CHAIN = 30;
const MiB = 1024 * 1024;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function buildChain(dir: string): Promise<string[]> {
  const content = join(dir, 'content');
  await mkdir(content, { recursive: true });
  await writeFile(join(content, 'file.bin'), Buffer.alloc(MiB, 7));
  const raw = join(dir, 'disk.raw');
  await runCommand(['truncate', '-s', '256M', raw]);
  await runCommand(['mkfs.ext4', '-q', '-F', '-d', content, raw, '64M']);
  const files = [join(dir, 'p1.qcow2')];
  await runCommand(['qemu-img', 'convert', '-O', 'qcow2', raw, files[0]!], { timeoutMs: 120_000 });
  await rm(raw);
  for (let i = 2; i <= CHAIN; i++) {
    const f = join(dir, `p${i}.qcow2`);
    await runCommand(['qemu-img', 'create', '-q', '-f', 'qcow2', '-b', `p${i - 1}.qcow2`, '-F', 'qcow2', f], {
      cwd: dir,
    });
    const off = 64 * MiB + ((i * 37) % 180) * MiB;
    await runCommand(['qemu-io', '-f', 'qcow2', '-c', `write -P ${i} ${off} 4M`, f]);
    files.push(f);
  }
  return files;
}

/** ms from the start of the mount to the first file read through it; then unmounts. */
async function mountAndRead(image: string, work: string): Promise<number> {
  const qsd = new QemuStorageDaemon();
  const m = new UtilLinuxMounter();
  await rm(work, { recursive: true, force: true });
  await mkdir(join(work, 'dir'), { recursive: true });
  const fuse = join(work, 'disk.raw');
  const t0 = process.hrtime.bigint();
  const proc = await qsd.start({
    image,
    format: 'qcow2',
    export: { fuseFile: fuse },
    pidFile: join(work, 'pid'),
  });
  let loop: string | null = null;
  let mounted = false;
  try {
    const layout = parsePartitions(await m.readAt(fuse, 0, PARTITION_PROBE_BYTES), 256 * MiB);
    const part = choosePartition(layout);
    const fs = probeFilesystem(await m.readAt(fuse, part.offset, FS_PROBE_BYTES));
    if (fs === null) throw new Error('no filesystem');
    loop = await m.attachLoop(fuse, part.offset, part.size);
    await m.mount(loop, join(work, 'dir'), fs);
    mounted = true;
    const data = await readFile(join(work, 'dir', 'file.bin'));
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (data.length !== MiB) throw new Error('short read');
    return ms;
  } finally {
    if (mounted) await m.umount(join(work, 'dir'));
    if (loop !== null) await m.detachLoop(loop);
    await qsd.stop(proc, fuse);
  }
}

export async function run(): Promise<unknown> {
  await prepareRunDir();
  const dir = join(RUN_DIR, `bench-mount-${process.pid}`);
  await mkdir(dir, { recursive: true });
  try {
    const files = await buildChain(dir);
    const ms: Record<'point1' | 'point30', number[]> = { point1: [], point30: [] };
    for (let r = 0; r < ROUNDS; r++) {
      const order: ['point1' | 'point30', string][] = [
        ['point1', files[0]!],
        ['point30', files[CHAIN - 1]!],
      ];
      if (r % 2 === 1) order.reverse();
      for (const [name, file] of order) ms[name].push(await mountAndRead(file, join(dir, 'work')));
    }
    const result = {
      rounds: ROUNDS,
      chainLength: CHAIN,
      medianMs: { point1: median(ms.point1), point30: median(ms.point30) },
      ratio30to1: median(ms.point30) / median(ms.point1),
      allMs: ms,
    };
    await mkdir(dirname(RESULTS), { recursive: true });
    await writeFile(RESULTS, JSON.stringify(result, null, 2) + '\n');
    console.log(
      `[bench mount] mount → first file read: point 1 ${result.medianMs.point1.toFixed(0)} ms, ` +
        `point 30 ${result.medianMs.point30.toFixed(0)} ms (×${result.ratio30to1.toFixed(2)}), median of ${ROUNDS}`,
    );
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
