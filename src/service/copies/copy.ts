/**
 * The copy job (docs/copies.md, "Copies"): uploads points of the store to a target in the remote
 * layout (core/remote-layout.ts), so that service/remote reads them back exactly.
 *
 * One point: each of its files the target lacks (an object under the same key with the expected
 * size is kept: skipped), then its manifest LAST (the store's manifest plus `host: {id, name}`):
 * a point exists on a target only once its manifest does. A point copy first copies the
 * ancestors it backs onto (oldest first), so every point on a target is restorable from it alone.
 *
 * A file up to one part goes up whole (`putObject`); a larger one as a multipart upload in parts
 * of `partSize` (32 MiB), each recorded in the catalog's upload state as it completes. With an
 * encryption key the whole file is one FrameEncryptor stream and the parts are cut from the
 * ciphertext (multipart.ts). Resume (after a daemon restart, copy-jobs.ts): an upload continues
 * after its last completed part, an encrypted one too (its salt and the file's identity are in
 * the upload state; nonces derive from the salt and frame index, so the rest of the stream is
 * encrypted again exactly); one that cannot be continued exactly (the file changed, another
 * part or frame size, no state from an older daemon) is aborted and restarted from scratch.
 *
 * The copies row of each point goes copying → copied (bytes uploaded by this job) or failed.
 */

import { DEFAULT_FRAME_SIZE, encryptBuffer, encryptedSize } from '../../core/encryption.js';
import { VirtpointError, toVirtpointError } from '../../core/errors.js';
import type { PointManifest } from '../../core/manifest.js';
import type { RandomBytes } from '../../core/names.js';
import { remoteFileKey, remoteManifestKey } from '../../core/remote-layout.js';
import { chainDir, resolveStorePath } from '../../core/store-layout.js';
import type { Catalog } from '../../ports/catalog.js';
import type { Point } from '../../ports/catalog-records.js';
import type { Target } from '../../ports/copies-catalog.js';
import type { FileSource } from '../../ports/file-source.js';
import type { Fs } from '../../ports/fs.js';
import type { Logger } from '../../ports/logger.js';
import type { TargetStore } from '../../ports/target.js';
import { manifestPath, readManifest } from '../recovery/manifest-writer.js';
import { chainFiles } from '../verify/chain-files.js';
import { forgetUpload, uploadMultipart } from './multipart.js';

export const PART_SIZE = 32 * 1024 * 1024;

/** What copies need of TargetStores (target-stores.ts). */
export interface CopyStores {
  open(targetId: string): Promise<TargetStore>;
  encryptionKey(targetId: string): Promise<Buffer | null>;
}

export interface CopyDeps {
  readonly catalog: Catalog;
  readonly fs: Fs;
  readonly files: FileSource;
  readonly stores: CopyStores;
  readonly random: RandomBytes;
  readonly log: Logger;
  readonly storeRoot: string;
  /** This host's name, recorded in each manifest's `host` (the id is the catalog's). */
  readonly hostName: string;
  /** Bytes per part (default PART_SIZE; smaller in unit tests). */
  readonly partSize?: number;
  /**
   * Plaintext bytes per encrypted frame of a file (default DEFAULT_FRAME_SIZE, which remote scans
   * expect: service/remote/scan.ts; smaller in unit tests).
   */
  readonly frameSize?: number;
}

export interface CopyOptions {
  readonly jobId?: string | null;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: { done: number; total: number | null; phase?: string }) => void;
}

export interface CopiedPoint {
  readonly pointId: string;
  /** Bytes uploaded by this job (skipped files not counted). */
  readonly bytes: number;
  /** Object keys uploaded, and those already there. */
  readonly uploaded: readonly string[];
  readonly skipped: readonly string[];
}

export interface CopyResult {
  readonly target: string;
  readonly points: readonly CopiedPoint[];
}

interface Run {
  readonly target: Target;
  readonly store: TargetStore;
  readonly key: Buffer | null;
  readonly hostId: string;
  readonly opts: CopyOptions;
  done: number;
  total: number;
}

const COPYABLE: ReadonlySet<string> = new Set(['available', 'restoring']);

export class CopyService {
  constructor(private readonly deps: CopyDeps) {}

  private get partSize(): number {
    return this.deps.partSize ?? PART_SIZE;
  }

  private get frameSize(): number {
    return this.deps.frameSize ?? DEFAULT_FRAME_SIZE;
  }

  /** The point and the ancestors it backs onto (verify's lineage), oldest first; each copyable. */
  pointsFor(pointId: string): Point[] {
    const { lineage } = chainFiles(this.deps.catalog, this.requireCopyable(pointId));
    return lineage.map((p) => this.requireCopyable(p.id));
  }

  /** Every point of a chain that can be copied, oldest first. */
  chainPoints(chainId: string): Point[] {
    const chain = this.deps.catalog.getChain(chainId);
    if (chain === null) throw new VirtpointError('CHAIN_NOT_FOUND', `no chain ${chainId}`);
    const points = this.deps.catalog
      .listPoints({ chainId })
      .filter((p) => COPYABLE.has(p.state))
      .sort((a, b) => a.seq - b.seq);
    if (points.length === 0) {
      throw new VirtpointError('INVALID_STATE', `chain ${chainId} has no available point to copy`);
    }
    return points;
  }

  private requireCopyable(pointId: string): Point {
    const p = this.deps.catalog.getPoint(pointId);
    if (p === null) throw new VirtpointError('POINT_NOT_FOUND', `no point ${pointId}`);
    if (!COPYABLE.has(p.state)) {
      throw new VirtpointError(
        'INVALID_STATE',
        `point ${p.id} is ${p.state}: only an available point can be copied (see 'virtpoint point show ${p.id}')`,
      );
    }
    return p;
  }

  /** Copies `points` (oldest first) to the target: each point's files, then its manifest. */
  async copy(points: readonly Point[], targetIdOrName: string, opts: CopyOptions = {}): Promise<CopyResult> {
    const { catalog, stores } = this.deps;
    const target = catalog.copies.requireTarget(targetIdOrName);
    const store = await stores.open(target.id);
    try {
      const run: Run = {
        target,
        store,
        key: await stores.encryptionKey(target.id),
        hostId: catalog.copies.hostId(),
        opts,
        done: 0,
        total: 0,
      };
      const out: CopiedPoint[] = [];
      for (const p of points) out.push(await this.copyOne(run, p));
      return { target: target.name, points: out };
    } finally {
      await store.close().catch(() => undefined);
    }
  }

  private async copyOne(run: Run, point: Point): Promise<CopiedPoint> {
    const { catalog } = this.deps;
    const jobId = run.opts.jobId ?? null;
    catalog.copies.setCopy(point.id, run.target.id, { state: 'copying', bytes: 0, jobId });
    try {
      const m = await readManifest(this.deps.fs, manifestPath(this.deps.storeRoot, point));
      if (m === null) {
        throw new VirtpointError(
          'INVALID_STATE',
          `point ${point.id} has no manifest in the store: restart virtpointd (its reconciliation writes missing manifests) and copy again`,
        );
      }
      const enc = run.key !== null;
      let bytes = 0;
      const uploaded: string[] = [];
      const skipped: string[] = [];
      for (const f of m.files) {
        const objKey = remoteFileKey(run.hostId, point.domainUuid, point.chainId, f.disk, point.seq, enc);
        const path = resolveStorePath(
          this.deps.storeRoot,
          `${chainDir(point.domainUuid, point.chainId)}/${f.name}`,
        );
        const n = await this.uploadFile(run, point, objKey, path);
        if (n === null) skipped.push(objKey);
        else {
          uploaded.push(objKey);
          bytes += n;
        }
      }
      const mKey = remoteManifestKey(run.hostId, point.domainUuid, point.chainId, point.id, enc);
      await run.store.putObject(mKey, this.manifestBody(run, m));
      uploaded.push(mKey);
      catalog.copies.setCopy(point.id, run.target.id, { state: 'copied', bytes, jobId });
      this.deps.log.info({ point: point.id, target: run.target.name, bytes }, 'point copied');
      return { pointId: point.id, bytes, uploaded, skipped };
    } catch (e) {
      const err = toVirtpointError(e, 'TARGET_ERROR');
      catalog.copies.setCopy(point.id, run.target.id, { state: 'failed', jobId, error: err });
      throw err;
    }
  }

  private manifestBody(run: Run, m: PointManifest): Buffer {
    const text = JSON.stringify({ ...m, host: { id: run.hostId, name: this.deps.hostName } });
    const body = Buffer.from(text, 'utf8');
    return run.key === null ? body : encryptBuffer(run.key, body, this.deps.random);
  }

  private progress(run: Run, phase: string): void {
    run.opts.onProgress?.({ done: run.done, total: run.total, phase });
  }

  /** Uploads one file; null when the target already has it (same key and size). */
  private async uploadFile(run: Run, point: Point, objKey: string, path: string): Promise<number | null> {
    const { catalog } = this.deps;
    const stat = await this.deps.fs.stat(path);
    const size = stat.size;
    const objSize = run.key === null ? size : encryptedSize(size, this.frameSize);
    const there = await run.store.head(objKey);
    const stale = catalog.copies.getUpload(run.target.id, objKey);
    if (there !== null && there.size === objSize) {
      if (stale !== null) await this.forget(run, objKey, stale.uploadId);
      return null;
    }
    run.total += objSize;
    this.progress(run, `uploading ${objKey}`);
    if (objSize <= this.partSize) {
      const chunks: Buffer[] = [];
      for await (const c of this.deps.files.chunks(path, 0, this.partSize, run.opts.signal)) chunks.push(c);
      const plain = Buffer.concat(chunks);
      const body = run.key === null ? plain : encryptBuffer(run.key, plain, this.deps.random, this.frameSize);
      await run.store.putObject(objKey, body);
      if (stale !== null) await this.forget(run, objKey, stale.uploadId);
      run.done += body.length;
      this.progress(run, `uploaded ${objKey}`);
      return body.length;
    }
    const { files, random, log } = this.deps;
    const deps = {
      copies: catalog.copies,
      files,
      random,
      log,
      partSize: this.partSize,
      frameSize: this.frameSize,
    };
    return uploadMultipart(deps, {
      target: run.target,
      store: run.store,
      key: run.key,
      objKey,
      pointId: point.id,
      file: `${chainDir(point.domainUuid, point.chainId)}/${path.slice(path.lastIndexOf('/') + 1)}`,
      path,
      stat,
      objSize,
      signal: run.opts.signal,
      progress: (n) => {
        run.done += n;
        this.progress(run, `uploading ${objKey}`);
      },
    });
  }

  private async forget(run: Run, objKey: string, uploadId: string | null): Promise<void> {
    await forgetUpload(this.deps.catalog.copies, run.store, run.target.id, objKey, uploadId);
  }
}
