/** FileSink (ports/file-sink.ts) on node:fs: exclusive create, fsync, partial file removed on failure. */

import { open, rm } from 'node:fs/promises';

import { VirtpointError, isVirtpointError } from '../core/errors.js';
import type { FileSink } from '../ports/file-sink.js';

const ERRNO: Readonly<Record<string, 'ALREADY_EXISTS' | 'NO_SPACE' | 'PERMISSION_DENIED' | 'NOT_FOUND'>> = {
  EEXIST: 'ALREADY_EXISTS',
  ENOSPC: 'NO_SPACE',
  EDQUOT: 'NO_SPACE',
  EACCES: 'PERMISSION_DENIED',
  EPERM: 'PERMISSION_DENIED',
  ENOENT: 'NOT_FOUND',
};

function fsError(path: string, e: unknown): VirtpointError {
  if (isVirtpointError(e)) return e;
  const code = ERRNO[(e as NodeJS.ErrnoException).code ?? ''] ?? 'IO_ERROR';
  return new VirtpointError(code, `writing ${path}: ${e instanceof Error ? e.message : String(e)}`, {
    cause: e,
  });
}

/** Chunks are gathered into writes of this size: a download hands out 16–64 KiB chunks. */
const BATCH_BYTES = 4 * 1024 * 1024;

/**
 * Writes `bufs` at the file's position, all of them (a short write goes on where it stopped).
 * Exported for the tests.
 */
export async function writeAll(
  write: (bufs: Buffer[]) => Promise<{ bytesWritten: number }>,
  bufs: readonly Uint8Array[],
): Promise<void> {
  const list = bufs.map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength));
  while (list.length > 0) {
    let { bytesWritten: n } = await write(list);
    if (n === 0) throw new VirtpointError('IO_ERROR', 'a write wrote nothing');
    while (list.length > 0 && n >= list[0]!.length) n -= list.shift()!.length;
    if (n > 0) list[0] = list[0]!.subarray(n);
  }
}

export class NodeFileSink implements FileSink {
  constructor(private readonly batchBytes = BATCH_BYTES) {}

  /**
   * Gathers the chunks into writes of `batchBytes` (one writev each) with one write in flight
   * while the next batch is received, so the network and the disk work at the same time.
   */
  async writeNew(path: string, source: AsyncIterable<Uint8Array>, mode: number): Promise<number> {
    const fh = await open(path, 'wx', mode).catch((e: unknown) => {
      throw fsError(path, e);
    });
    const write = (bufs: Buffer[]) => fh.writev(bufs);
    let bytes = 0;
    let batch: Uint8Array[] = [];
    let batched = 0;
    let inflight: Promise<void> = Promise.resolve();
    try {
      for await (const chunk of source) {
        batch.push(chunk);
        batched += chunk.length;
        bytes += chunk.length;
        if (batched < this.batchBytes) continue;
        await inflight; // at most one write in flight; its failure ends the download here
        const bufs = batch;
        batch = [];
        batched = 0;
        inflight = writeAll(write, bufs);
        inflight.catch(() => undefined); // awaited above or below, never unhandled meanwhile
      }
      await inflight;
      await writeAll(write, batch);
      await fh.sync();
      await fh.close();
      return bytes;
    } catch (e) {
      await inflight.catch(() => undefined); // no write still running when the file goes
      await fh.close().catch(() => undefined);
      await rm(path, { force: true }).catch(() => undefined);
      throw fsError(path, e);
    }
  }
}
