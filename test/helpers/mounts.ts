import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { UtilLinuxMounter } from '../../src/adapters/mounter/mounter.js';
import { runCommand } from '../../src/adapters/process/run-command.js';
import { QemuStorageDaemon } from '../../src/adapters/qsd/storage-daemon.js';
import { SqliteCatalog } from '../../src/adapters/sqlite/sqlite-catalog.js';
import { SqliteMounts } from '../../src/adapters/sqlite/sqlite-mounts.js';
import { nodeFs } from '../../src/adapters/node-fs.js';
import { silentLogger } from '../../src/ports/logger.js';
import { MountService } from '../../src/service/mount/mounts.js';

/**
 * e2e helpers for mounts: a GPT test disk built on the host (two ext4 partitions with given
 * files, no guest partitioning), and the teardown that undoes every mount a test daemon
 * recorded — the daemon's own cleanup code over its catalog, so a failed test leaves no
 * qemu-storage-daemon, loop device or mount behind.
 */

const SECTOR = 512;

/** A qcow2 disk with a GPT: partition 1 = 1–17 MiB, 2 = 17 MiB–end; each ext4 holding `files[i]`. */
export async function makeGptDisk(
  dir: string,
  sizeMiB: number,
  files: [Record<string, string>, Record<string, string>],
): Promise<string> {
  const raw = join(dir, 'gpt.raw');
  const out = join(dir, 'gpt.qcow2');
  await runCommand(['truncate', '-s', `${sizeMiB}M`, raw]);
  await runCommand(['sgdisk', '-n1:2048:+16M', '-t1:8300', '-c1:one', '-n2:0:0', '-t2:8300', '-c2:two', raw]);
  const info = (await runCommand(['sgdisk', '-i', '2', raw])).stdout.toString();
  const last = Number(/Last sector: (\d+)/.exec(info)?.[1]);
  const parts = [
    { first: 2048, count: 32768 },
    { first: 34816, count: last - 34816 + 1 },
  ];
  for (const [i, p] of parts.entries()) {
    const content = join(dir, `p${i + 1}`);
    await mkdir(content, { recursive: true });
    for (const [name, text] of Object.entries(files[i] ?? {})) await writeFile(join(content, name), text);
    await runCommand([
      'mkfs.ext4',
      '-q',
      '-F',
      '-E',
      `offset=${p.first * SECTOR}`,
      '-d',
      content,
      raw,
      `${Math.floor((p.count * SECTOR) / 4096) * 4}k`,
    ]);
    await rm(content, { recursive: true, force: true });
  }
  await runCommand(['qemu-img', 'convert', '-O', 'qcow2', raw, out], { timeoutMs: 60_000 });
  await rm(raw, { force: true });
  return out;
}

/** Undoes every mount recorded in the test daemon's catalog (by the recorded PIDs, loops, dirs). */
export async function undoRecordedMounts(stateDir: string): Promise<void> {
  const catalog = new SqliteCatalog({ path: join(stateDir, 'catalog.db') });
  try {
    const svc = new MountService({
      catalog,
      mounts: new SqliteMounts(catalog.db),
      qsd: new QemuStorageDaemon(),
      mounter: new UtilLinuxMounter(),
      fs: nodeFs,
      log: silentLogger,
      storeRoot: join(stateDir, 'store'),
      workRoot: join(stateDir, 'mounts'),
      random: randomBytes,
      now: Date.now,
      idleMinutes: 60,
    });
    await svc.cleanupOnStart();
  } finally {
    catalog.close();
  }
}

/** Whether any loop device is backed by a file under `prefix` (the daemon's mount work directory). */
export async function loopsUnder(prefix: string): Promise<string[]> {
  const out = (
    await runCommand(['losetup', '--list', '--noheadings', '--output', 'NAME,BACK-FILE'])
  ).stdout.toString();
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter(([, file]) => file?.startsWith(prefix) === true)
    .map(([name]) => name ?? '');
}

/** Whether the process still exists (and is not a zombie). */
export async function alive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  return stat !== null && stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}
