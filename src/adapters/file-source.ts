/** FileSource (ports/file-source.ts) on node:fs: positioned reads of one open file handle. */

import { open } from 'node:fs/promises';

import { VirtpointError } from '../core/errors.js';
import type { FileSource } from '../ports/file-source.js';

function readError(path: string, e: unknown): VirtpointError {
  const code = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'NOT_FOUND' : 'IO_ERROR';
  return new VirtpointError(code, `reading ${path}: ${e instanceof Error ? e.message : String(e)}`, {
    cause: e,
  });
}

export class NodeFileSource implements FileSource {
  async *chunks(
    path: string,
    offset: number,
    chunkSize: number,
    signal?: AbortSignal,
  ): AsyncIterable<Buffer> {
    const fh = await open(path, 'r').catch((e: unknown) => {
      throw readError(path, e);
    });
    try {
      let pos = offset;
      for (;;) {
        signal?.throwIfAborted();
        const buf = Buffer.allocUnsafe(chunkSize);
        let filled = 0;
        while (filled < chunkSize) {
          const { bytesRead } = await fh
            .read(buf, filled, chunkSize - filled, pos + filled)
            .catch((e: unknown) => {
              throw readError(path, e);
            });
          if (bytesRead === 0) break;
          filled += bytesRead;
        }
        if (filled === 0) return;
        pos += filled;
        yield filled === chunkSize ? buf : buf.subarray(0, filled);
        if (filled < chunkSize) return;
      }
    } finally {
      await fh.close();
    }
  }
}
