/**
 * A target's `--bwlimit` (bytes per second, docs/copies.md): one pacer per open target store,
 * shared by every upload and download through it. `take(n)` waits until the bytes taken before
 * are paid for at the rate, then books `n`; over any long run the average stays at the limit
 * (a single part still goes out at the link's speed: the wait comes before the next one).
 */

import { Transform, type Readable } from 'node:stream';

import type { Clock } from '../../ports/fs.js';
import type { CompletedPart, RemoteObject, RemoteUpload, TargetStore } from '../../ports/target.js';

export class Throttle {
  private paidUntil = 0;

  constructor(
    /** Bytes per second (> 0). */
    readonly rate: number,
    private readonly clock: Clock,
  ) {}

  /** Waits until the bytes booked before are paid for, then books `bytes`. */
  async take(bytes: number): Promise<void> {
    const now = this.clock.now();
    const start = Math.max(now, this.paidUntil);
    this.paidUntil = start + (bytes / this.rate) * 1000;
    if (start > now) await this.clock.sleep(start - now);
  }
}

/** A TargetStore whose transfers go through a Throttle (the metadata calls do not). */
export class ThrottledTarget implements TargetStore {
  constructor(
    private readonly inner: TargetStore,
    private readonly throttle: Throttle,
  ) {}

  async putObject(key: string, body: Buffer): Promise<void> {
    await this.throttle.take(body.length);
    return this.inner.putObject(key, body);
  }

  async getObject(key: string, maxBytes: number): Promise<Buffer> {
    const b = await this.inner.getObject(key, maxBytes);
    await this.throttle.take(b.length);
    return b;
  }

  async openRead(key: string): Promise<Readable> {
    const source = await this.inner.openRead(key);
    const throttle = this.throttle;
    const paced = new Transform({
      transform(chunk: Buffer, _enc, done): void {
        throttle.take(chunk.length).then(
          () => done(null, chunk),
          (e: unknown) => done(e as Error),
        );
      },
    });
    source.on('error', (e) => paced.destroy(e));
    paced.on('close', () => source.destroy());
    return source.pipe(paced);
  }

  head(key: string): Promise<RemoteObject | null> {
    return this.inner.head(key);
  }

  list(prefix: string): Promise<RemoteObject[]> {
    return this.inner.list(prefix);
  }

  delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }

  beginUpload(key: string): Promise<string> {
    return this.inner.beginUpload(key);
  }

  async putPart(key: string, uploadId: string, partNumber: number, data: Buffer): Promise<CompletedPart> {
    await this.throttle.take(data.length);
    return this.inner.putPart(key, uploadId, partNumber, data);
  }

  completeUpload(key: string, uploadId: string, parts: readonly CompletedPart[]): Promise<void> {
    return this.inner.completeUpload(key, uploadId, parts);
  }

  abortUpload(key: string, uploadId: string): Promise<void> {
    return this.inner.abortUpload(key, uploadId);
  }

  listUploads(prefix: string): Promise<RemoteUpload[]> {
    return this.inner.listUploads(prefix);
  }

  remoteSha256(key: string): Promise<string | null> {
    return this.inner.remoteSha256(key);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
