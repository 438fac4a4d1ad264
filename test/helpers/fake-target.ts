/**
 * An in-memory TargetStore (src/ports/target.ts) for unit tests: objects and unfinished uploads
 * in maps, with hooks to fail a call or tamper with stored bytes.
 */

import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';

import { VirtpointError } from '../../src/core/errors.js';
import type { CompletedPart, RemoteObject, RemoteUpload, TargetStore } from '../../src/ports/target.js';

export class FakeTarget implements TargetStore {
  readonly objects = new Map<string, { body: Buffer; modifiedAt: number }>();
  readonly uploads = new Map<string, { key: string; parts: Map<number, Buffer>; startedAt: number }>();
  /** Calls made, in order (`put key`, `part key n`, ...). */
  readonly calls: string[] = [];
  /** When set, called before every operation; throw from it to fail that call. */
  failOn: ((call: string) => void) | null = null;
  now = 1_700_000_000_000;
  private nextUpload = 1;
  closed = false;

  private hit(call: string): void {
    this.calls.push(call);
    this.failOn?.(call);
  }

  putObject(key: string, body: Buffer): Promise<void> {
    this.hit(`put ${key}`);
    this.objects.set(key, { body: Buffer.from(body), modifiedAt: this.now });
    return Promise.resolve();
  }

  getObject(key: string, maxBytes: number): Promise<Buffer> {
    this.hit(`get ${key}`);
    const o = this.objects.get(key);
    if (o === undefined) return Promise.reject(new VirtpointError('REMOTE_NOT_FOUND', `no object ${key}`));
    if (o.body.length > maxBytes)
      return Promise.reject(new VirtpointError('TARGET_ERROR', `${key} is too large`));
    return Promise.resolve(Buffer.from(o.body));
  }

  openRead(key: string): Promise<Readable> {
    this.hit(`read ${key}`);
    const o = this.objects.get(key);
    if (o === undefined) return Promise.reject(new VirtpointError('REMOTE_NOT_FOUND', `no object ${key}`));
    return Promise.resolve(Readable.from([Buffer.from(o.body)]));
  }

  head(key: string): Promise<RemoteObject | null> {
    this.hit(`head ${key}`);
    const o = this.objects.get(key);
    return Promise.resolve(o === undefined ? null : { key, size: o.body.length, modifiedAt: o.modifiedAt });
  }

  list(prefix: string): Promise<RemoteObject[]> {
    this.hit(`list ${prefix}`);
    const out = [...this.objects.entries()]
      .filter(([k]) => k.startsWith(prefix))
      .map(([key, o]) => ({ key, size: o.body.length, modifiedAt: o.modifiedAt }));
    return Promise.resolve(out.sort((a, b) => (a.key < b.key ? -1 : 1)));
  }

  delete(key: string): Promise<void> {
    this.hit(`delete ${key}`);
    this.objects.delete(key);
    return Promise.resolve();
  }

  beginUpload(key: string): Promise<string> {
    this.hit(`begin ${key}`);
    const id = `u${this.nextUpload++}`;
    this.uploads.set(id, { key, parts: new Map(), startedAt: this.now });
    return Promise.resolve(id);
  }

  putPart(key: string, uploadId: string, partNumber: number, data: Buffer): Promise<CompletedPart> {
    this.hit(`part ${key} ${partNumber}`);
    const u = this.uploads.get(uploadId);
    if (u === undefined || u.key !== key)
      return Promise.reject(new VirtpointError('TARGET_ERROR', 'NoSuchUpload'));
    u.parts.set(partNumber, Buffer.from(data));
    const md5 = createHash('md5').update(data).digest('base64');
    return Promise.resolve({ partNumber, size: data.length, etag: `"${md5}"`, checksum: md5 });
  }

  completeUpload(key: string, uploadId: string, parts: readonly CompletedPart[]): Promise<void> {
    this.hit(`complete ${key}`);
    const u = this.uploads.get(uploadId);
    if (u === undefined || u.key !== key)
      return Promise.reject(new VirtpointError('TARGET_ERROR', 'NoSuchUpload'));
    const bodies = [...parts]
      .sort((a, b) => a.partNumber - b.partNumber)
      .map((p) => u.parts.get(p.partNumber));
    if (bodies.some((b) => b === undefined))
      return Promise.reject(new VirtpointError('TARGET_ERROR', 'InvalidPart'));
    this.objects.set(key, { body: Buffer.concat(bodies as Buffer[]), modifiedAt: this.now });
    this.uploads.delete(uploadId);
    return Promise.resolve();
  }

  abortUpload(key: string, uploadId: string): Promise<void> {
    this.hit(`abort ${key}`);
    this.uploads.delete(uploadId);
    return Promise.resolve();
  }

  listUploads(prefix: string): Promise<RemoteUpload[]> {
    this.hit(`uploads ${prefix}`);
    const out = [...this.uploads.entries()]
      .filter(([, u]) => u.key.startsWith(prefix))
      .map(([uploadId, u]) => ({ key: u.key, uploadId, startedAt: u.startedAt }));
    return Promise.resolve(out);
  }

  remoteSha256(key: string): Promise<string | null> {
    this.hit(`sha256 ${key}`);
    const o = this.objects.get(key);
    return Promise.resolve(o === undefined ? null : createHash('sha256').update(o.body).digest('hex'));
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  /** Flips one byte of a stored object (tamper tests). */
  flipByte(key: string, offset: number): void {
    const o = this.objects.get(key);
    if (o === undefined) throw new Error(`no object ${key}`);
    o.body[offset] = (o.body[offset] ?? 0) ^ 0xff;
  }
}
