/**
 * Verify a point (docs/verify.md): every file it is read through exists with the length and
 * sha256 recorded when it was written, names the expected backing file and passes `qemu-img
 * check`; `deep` also reads every allocated cluster of the flattened point. A failure marks the
 * bad point and every later point of its chain corrupt and seals the chain (one catalog
 * transaction), so the next backup starts a new full chain and nothing restores from them.
 */

import { VirtpointError } from '../../core/errors.js';
import { isPointBusy } from '../../core/point-state.js';
import { resolveStorePath } from '../../core/store-layout.js';
import {
  corruptPoints,
  judgeFile,
  summarize,
  type ExpectedFile,
  type FileFinding,
  type ObservedFile,
} from '../../core/verify.js';
import type { Catalog, Point } from '../../ports/catalog.js';
import type { Fs } from '../../ports/fs.js';
import type { ImageTool } from '../../ports/image-tool.js';
import type { Logger } from '../../ports/logger.js';
import { chainFiles } from './chain-files.js';

export interface VerifyDeps {
  readonly catalog: Catalog;
  readonly fs: Fs;
  readonly imageTool: ImageTool;
  readonly log: Logger;
  readonly storeRoot: string;
}

export interface VerifyOptions {
  readonly deep?: boolean;
  readonly signal?: AbortSignal;
  /** Files done / in all. */
  readonly onProgress?: (progress: { done: number; total: number }) => void;
}

export interface VerifyResult {
  readonly pointId: string;
  readonly ok: boolean;
  readonly deep: boolean;
  readonly summary: string;
  readonly files: readonly FileFinding[];
  /** Points this verify marked corrupt. */
  readonly corrupt: readonly string[];
}

/** INVALID_STATE / POINT_BUSY unless the point can be verified (available, or corrupt: re-check). */
export function assertVerifiable(point: Point): void {
  if (point.state === 'available' || point.state === 'corrupt') return;
  if (isPointBusy(point.state)) {
    throw new VirtpointError(
      'POINT_BUSY',
      `point ${point.id} is ${point.state}; verify it when its job has ended`,
    );
  }
  throw new VirtpointError(
    'INVALID_STATE',
    `point ${point.id} is ${point.state}: a failed backup's point has no files to verify`,
  );
}

export class VerifyService {
  constructor(private readonly deps: VerifyDeps) {}

  async verifyPoint(pointId: string, opts: VerifyOptions = {}): Promise<VerifyResult> {
    const { catalog, log } = this.deps;
    const point = catalog.getPoint(pointId);
    if (point === null) throw new VirtpointError('POINT_NOT_FOUND', `no point ${pointId}`);
    assertVerifiable(point);
    const deep = opts.deep === true;
    const { members, lineage, files } = chainFiles(catalog, point);
    const total = files.length + (deep ? point.disks.length : 0);
    let done = 0;
    const findings: FileFinding[] = [];
    for (const want of files) {
      opts.signal?.throwIfAborted();
      findings.push(judgeFile(want, await this.observe(want, opts.signal)));
      opts.onProgress?.({ done: ++done, total });
    }
    if (deep && findings.every((f) => f.verdict === 'ok')) {
      // read through the whole chain once per disk of the point: every cluster of every ancestor
      for (const d of point.disks) {
        opts.signal?.throwIfAborted();
        const path = resolveStorePath(this.deps.storeRoot, d.path);
        const err = await this.deps.imageTool.readAll(path, d.format, d.virtualSize, opts.signal);
        if (err !== null) {
          const own = findings.findIndex((f) => f.pointId === point.id && f.target === d.target);
          const finding: FileFinding = {
            pointId: point.id,
            seq: point.seq,
            target: d.target,
            path: d.path,
            verdict: 'qemu-img-error',
            detail: `reading the whole chain of ${d.target} failed: ${err}`,
          };
          if (own >= 0) findings[own] = finding;
          else findings.push(finding);
        }
        opts.onProgress?.({ done: ++done, total });
      }
    }
    const summary = summarize(findings);
    // a corrupt point being re-checked stays corrupt: only available ones are newly marked
    const corrupt = corruptPoints(members, findings);
    catalog.verify.recordVerify({
      pointId: point.id,
      ok: summary.ok,
      detail: { deep, summary: summary.text, files: findings },
      corrupt,
    });
    const at = { point: point.id, chain: point.chainId, domain: point.domainUuid, deep };
    if (summary.ok) log.info({ ...at, files: files.length, points: lineage.length }, 'point verified');
    else log.warn({ ...at, corrupt, summary: summary.text }, 'point verify failed: points marked corrupt');
    return { pointId: point.id, ok: summary.ok, deep, summary: summary.text, files: findings, corrupt };
  }

  private async observe(want: ExpectedFile, signal?: AbortSignal): Promise<ObservedFile> {
    const { fs, imageTool } = this.deps;
    const path = resolveStorePath(this.deps.storeRoot, want.path);
    if (!(await fs.exists(path))) return { exists: false };
    const sum = await fs.checksumFile(path, signal);
    let backing: string | null | undefined;
    let imageError: string | null = null;
    if (want.format === 'qcow2') {
      try {
        backing = (await imageTool.info(path)).backingFile;
      } catch (e) {
        imageError = e instanceof Error ? e.message : String(e);
      }
      imageError ??= await imageTool.check(path, want.format);
    }
    return {
      exists: true,
      fileSize: sum.size,
      sha256: sum.sha256,
      ...(backing !== undefined ? { backing } : {}),
      imageError,
    };
  }
}
