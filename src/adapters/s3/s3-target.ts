/**
 * The S3 target adapter (ports/target.ts) on `@aws-sdk/client-s3`, tuned for Ceph RGW
 * (offhost-facts.md): checksums only WHEN_REQUIRED (RGW refuses the SDK's default aws-chunked
 * upload with 411), Content-MD5 on every PUT and part (RGW checks it: BadDigest → DATA_CORRUPT),
 * path-style URLs, errors by name/status (RGW sends no message), and the empty ETag RGW returns
 * on CompleteMultipartUpload (the object's size is checked with a HEAD instead).
 */

import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';

import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';

import { VirtpointError } from '../../core/errors.js';
import type { S3TargetConfig } from '../../ports/copies-catalog.js';
import type { CompletedPart, RemoteObject, RemoteUpload, TargetStore } from '../../ports/target.js';
import { rangedRead } from './ranged-read.js';
import { s3Error, s3Status } from './s3-errors.js';

export interface S3TargetOptions {
  readonly endpoint: string;
  readonly bucket: string;
  /** Without slashes at either end; '' for none. */
  readonly prefix: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Ranged reads in openRead (default 8 MiB, 4 in flight). */
  readonly rangeSize?: number;
  readonly readConcurrency?: number;
  /** Until the response begins (default 300 s) and to connect (default 10 s). */
  readonly requestTimeoutMs?: number;
  readonly connectTimeoutMs?: number;
  /** Idle socket (no byte sent or received) before the request fails (default 60 s). */
  readonly socketTimeoutMs?: number;
  /** Keys per list page (default: the server's, 1000). */
  readonly listPageSize?: number;
}

const md5 = (b: Buffer): string => createHash('md5').update(b).digest('base64');

export class S3Target implements TargetStore {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly base: string;

  constructor(private readonly o: S3TargetOptions) {
    this.bucket = o.bucket;
    this.base = o.prefix === '' ? '' : `${o.prefix}/`;
    this.client = new S3Client({
      endpoint: o.endpoint,
      region: o.region,
      forcePathStyle: true,
      credentials: { accessKeyId: o.accessKeyId, secretAccessKey: o.secretAccessKey },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
      requestHandler: {
        connectionTimeout: o.connectTimeoutMs ?? 10_000,
        // Until the response begins (a 32 MiB part on a slow link included); an error, not the
        // SDK's default of a console warning, so a stalled server never hangs a job.
        requestTimeout: o.requestTimeoutMs ?? 300_000,
        throwOnRequestTimeout: true,
        // No byte either way for this long (a body that stalls halfway).
        socketTimeout: o.socketTimeoutMs ?? 60_000,
      },
    });
  }

  private full(key: string): string {
    if (key === '' || key.startsWith('/') || key.split('/').some((s) => s === '..' || s === '.')) {
      throw new VirtpointError('INTERNAL', `bad remote key ${JSON.stringify(key)}`);
    }
    return this.base + key;
  }

  private rel(full: string): string {
    return full.startsWith(this.base) ? full.slice(this.base.length) : full;
  }

  private async send<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw s3Error(what, e, this.bucket);
    }
  }

  async putObject(key: string, body: Buffer): Promise<void> {
    const Key = this.full(key);
    await this.send(`put ${key}`, () =>
      this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key,
          Body: body,
          ContentLength: body.length,
          ContentMD5: md5(body),
        }),
      ),
    );
  }

  async getObject(key: string, maxBytes: number): Promise<Buffer> {
    const Key = this.full(key);
    return this.send(`get ${key}`, async () => {
      const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key }));
      if ((r.ContentLength ?? 0) > maxBytes) {
        (r.Body as Readable | undefined)?.destroy();
        throw new VirtpointError(
          'TARGET_ERROR',
          `${key} holds ${r.ContentLength} bytes, more than ${maxBytes}`,
        );
      }
      const bytes = Buffer.from(await r.Body!.transformToByteArray());
      if (bytes.length > maxBytes) {
        throw new VirtpointError('TARGET_ERROR', `${key} holds more than ${maxBytes} bytes`);
      }
      return bytes;
    });
  }

  async openRead(key: string): Promise<Readable> {
    const Key = this.full(key);
    const h = await this.send(`head ${key}`, () =>
      this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key })),
    );
    const size = h.ContentLength ?? 0;
    const etag = h.ETag;
    return rangedRead(size, this.o.rangeSize ?? 8 << 20, this.o.readConcurrency ?? 4, (first, last) =>
      this.send(`read ${key} bytes ${first}-${last}`, async () => {
        const r = await this.client.send(
          new GetObjectCommand({ Bucket: this.bucket, Key, Range: `bytes=${first}-${last}`, IfMatch: etag }),
        );
        return Buffer.from(await r.Body!.transformToByteArray());
      }),
    );
  }

  async head(key: string): Promise<RemoteObject | null> {
    const Key = this.full(key);
    try {
      const h = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key }));
      return { key, size: h.ContentLength ?? 0, modifiedAt: h.LastModified?.getTime() ?? null };
    } catch (e) {
      if (s3Status(e) === 404 && (e as { name?: string }).name !== 'NoSuchBucket') return null;
      throw s3Error(`head ${key}`, e, this.bucket);
    }
  }

  async list(prefix: string): Promise<RemoteObject[]> {
    const out: RemoteObject[] = [];
    let token: string | undefined;
    do {
      const r = await this.send(`list ${prefix}`, () =>
        this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: this.base + prefix,
            ContinuationToken: token,
            MaxKeys: this.o.listPageSize,
          }),
        ),
      );
      for (const o of r.Contents ?? []) {
        if (o.Key === undefined) continue;
        out.push({ key: this.rel(o.Key), size: o.Size ?? 0, modifiedAt: o.LastModified?.getTime() ?? null });
      }
      token = r.IsTruncated === true ? r.NextContinuationToken : undefined;
    } while (token !== undefined);
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async delete(key: string): Promise<void> {
    const Key = this.full(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key }));
    } catch (e) {
      if (s3Status(e) === 404 && (e as { name?: string }).name !== 'NoSuchBucket') return;
      throw s3Error(`delete ${key}`, e, this.bucket);
    }
  }

  async beginUpload(key: string): Promise<string> {
    const Key = this.full(key);
    const r = await this.send(`begin upload ${key}`, () =>
      this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key })),
    );
    if (r.UploadId === undefined || r.UploadId === '') {
      throw new VirtpointError('TARGET_ERROR', `S3 begin upload ${key}: the server returned no upload id`);
    }
    return r.UploadId;
  }

  async putPart(key: string, uploadId: string, partNumber: number, data: Buffer): Promise<CompletedPart> {
    const Key = this.full(key);
    const checksum = md5(data);
    const r = await this.send(`upload ${key} part ${partNumber}`, () =>
      this.client.send(
        new UploadPartCommand({
          Bucket: this.bucket,
          Key,
          UploadId: uploadId,
          PartNumber: partNumber,
          Body: data,
          ContentLength: data.length,
          ContentMD5: checksum,
        }),
      ),
    );
    return { partNumber, size: data.length, etag: r.ETag ?? null, checksum };
  }

  async completeUpload(key: string, uploadId: string, parts: readonly CompletedPart[]): Promise<void> {
    const Key = this.full(key);
    const sorted = [...parts].sort((a, b) => a.partNumber - b.partNumber);
    await this.send(`complete upload ${key}`, () =>
      this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key,
          UploadId: uploadId,
          MultipartUpload: {
            Parts: sorted.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag ?? undefined })),
          },
        }),
      ),
    );
    // RGW answers with an empty ETag: check what became visible by its size.
    const want = sorted.reduce((n, p) => n + p.size, 0);
    const h = await this.head(key);
    if (h === null || h.size !== want) {
      throw new VirtpointError(
        'DATA_CORRUPT',
        `S3 complete upload ${key}: the object holds ${h === null ? 'nothing' : `${h.size} bytes`}, the parts ${want}; retry the copy`,
      );
    }
  }

  async abortUpload(key: string, uploadId: string): Promise<void> {
    const Key = this.full(key);
    try {
      await this.client.send(
        new AbortMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId: uploadId }),
      );
    } catch (e) {
      const name = (e as { name?: string }).name;
      if (name === 'NoSuchUpload' || (s3Status(e) === 404 && name !== 'NoSuchBucket')) return;
      throw s3Error(`abort upload ${key}`, e, this.bucket);
    }
  }

  async listUploads(prefix: string): Promise<RemoteUpload[]> {
    const out: RemoteUpload[] = [];
    let keyMarker: string | undefined;
    let idMarker: string | undefined;
    for (;;) {
      const r = await this.send(`list uploads ${prefix}`, () =>
        this.client.send(
          new ListMultipartUploadsCommand({
            Bucket: this.bucket,
            Prefix: this.base + prefix,
            KeyMarker: keyMarker,
            UploadIdMarker: idMarker,
            MaxUploads: this.o.listPageSize,
          }),
        ),
      );
      for (const u of r.Uploads ?? []) {
        if (u.Key === undefined || u.UploadId === undefined) continue;
        out.push({ key: this.rel(u.Key), uploadId: u.UploadId, startedAt: u.Initiated?.getTime() ?? null });
      }
      if (r.IsTruncated !== true) break;
      keyMarker = r.NextKeyMarker;
      idMarker = r.NextUploadIdMarker;
      if (keyMarker === undefined && idMarker === undefined) break;
    }
    return out;
  }

  /** The SDK client (tests add middleware to it). */
  get sdk(): S3Client {
    return this.client;
  }

  remoteSha256(): Promise<string | null> {
    return Promise.resolve(null);
  }

  close(): Promise<void> {
    this.client.destroy();
    return Promise.resolve();
  }
}

/** The S3 store of a target (service/copies/target-stores.ts TargetAdapters). */
export function openS3Target(config: S3TargetConfig, secretAccessKey: string): TargetStore {
  return new S3Target({
    endpoint: config.endpoint,
    bucket: config.bucket,
    prefix: config.prefix,
    region: config.region,
    accessKeyId: config.accessKeyId,
    secretAccessKey,
  });
}
