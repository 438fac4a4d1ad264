import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../../src/adapters/process/run-command.js';
import { sha256 } from './seeded.js';

/**
 * Reads guest data out of a disk image on the host (a qcow2 with its whole backing chain, or raw),
 * so tests compare guest-side bytes with backup-side bytes.
 */

async function withFlatImage<T>(image: string, fn: (raw: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'vpt-img-'));
  try {
    const raw = join(dir, 'flat.raw');
    await runCommand(['qemu-img', 'convert', '-U', '-O', 'raw', image, raw], { timeoutMs: 300_000 });
    return await fn(raw);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Bytes of a file inside the ext4 filesystem of a disk image; `fsPath` is relative to the fs root. */
export async function readFileFromImage(image: string, fsPath: string): Promise<Buffer | null> {
  return withFlatImage(image, async (raw) => {
    const out = raw + '.file';
    const res = await runCommand(['debugfs', '-R', `dump -p ${fsPath} ${out}`, raw], { timeoutMs: 120_000 });
    if (/File not found|not found by ext2_lookup/i.test(res.stderr)) return null;
    try {
      return await readFile(out);
    } catch {
      return null;
    }
  });
}

/** sha256 of a file inside the image's filesystem, or null when the file does not exist there. */
export async function sha256FileInImage(image: string, fsPath: string): Promise<string | null> {
  const data = await readFileFromImage(image, fsPath);
  return data === null ? null : sha256(data);
}

/** Bytes of a range of the disk as the guest sees it. */
export async function readRangeFromImage(image: string, offset: number, length: number): Promise<Buffer> {
  return withFlatImage(image, async (raw) => {
    const fh = await open(raw, 'r');
    try {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await fh.read(buf, 0, length, offset);
      return buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  });
}

export async function sha256RangeInImage(image: string, offset: number, length: number): Promise<string> {
  return sha256(await readRangeFromImage(image, offset, length));
}

/** `qemu-img info` as JSON. */
export async function imageInfo(image: string): Promise<{
  'virtual-size': number;
  'actual-size'?: number;
  format: string;
  'backing-filename'?: string;
  'full-backing-filename'?: string;
}> {
  const res = await runCommand(['qemu-img', 'info', '-U', '--output=json', image], { timeoutMs: 60_000 });
  return JSON.parse(res.stdout.toString('utf8'));
}
