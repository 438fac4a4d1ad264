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

export class NodeFileSink implements FileSink {
  async writeNew(path: string, source: AsyncIterable<Uint8Array>, mode: number): Promise<number> {
    const fh = await open(path, 'wx', mode).catch((e: unknown) => {
      throw fsError(path, e);
    });
    let bytes = 0;
    try {
      for await (const chunk of source) {
        let off = 0;
        while (off < chunk.length) {
          const { bytesWritten } = await fh.write(chunk, off, chunk.length - off);
          off += bytesWritten;
        }
        bytes += chunk.length;
      }
      await fh.sync();
      await fh.close();
      return bytes;
    } catch (e) {
      await fh.close().catch(() => undefined);
      await rm(path, { force: true }).catch(() => undefined);
      throw fsError(path, e);
    }
  }
}
