/**
 * An object read as parallel ranged GETs, handed out in order: up to `concurrency` ranges of
 * `rangeSize` bytes are in flight while the consumer reads the earlier ones.
 */

import { Readable } from 'node:stream';

import { VirtpointError } from '../../core/errors.js';

export function rangedRead(
  size: number,
  rangeSize: number,
  concurrency: number,
  getRange: (first: number, last: number) => Promise<Buffer>,
): Readable {
  async function* ranges(): AsyncGenerator<Buffer> {
    const inflight: Promise<Buffer>[] = [];
    let next = 0;
    const start = (): void => {
      const first = next;
      const last = Math.min(size, first + rangeSize) - 1;
      next = last + 1;
      const p = getRange(first, last).then((b) => {
        if (b.length !== last - first + 1) {
          throw new VirtpointError('DATA_TRUNCATED', `range ${first}-${last}: got ${b.length} bytes; retry`);
        }
        return b;
      });
      // Awaited in order below; a rejection seen first here must not count as unhandled.
      p.catch(() => undefined);
      inflight.push(p);
    };
    while (inflight.length < concurrency && next < size) start();
    while (inflight.length > 0) {
      const b = await inflight.shift()!;
      if (next < size) start();
      yield b;
    }
  }
  return Readable.from(ranges(), { objectMode: false });
}
