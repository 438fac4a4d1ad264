/**
 * Verify a point (docs/verify.md): every file it is read through exists with the length and
 * sha256 recorded when it was written, names the expected backing file and passes `qemu-img
 * check`; `deep` also reads every allocated cluster of the flattened point. A failure marks the
 * bad point and every later point of its chain corrupt and seals the chain (one catalog
 * transaction), so the next backup starts a new full chain and nothing restores from them.
 */

import { eachLimit } from '../../core/settle.js';
import { VirtpointError } from '../../core/errors.js';
import { isPointBusy } from '../../core/point-state.js';
import { resolveStorePath } from '../../core/store-layout.js';
import {
  corruptPoints,
  judgeFile,
  summarize,
  type ExpectedFile,
  type FileFinding,
} from '../../core/verify.js';
import type { Catalog, Point } from '../../ports/catalog.js';
import type { Fs } from '../../ports/fs.js';
import type { ImageTool } from '../../ports/image-tool.js';
import type { Logger } from '../../ports/logger.js';
import type { VerifyTrigger } from '../../ports/notifier.js';
import { chainFiles } from './chain-files.js';
import { observeFile } from './observe.js';

export interface VerifyDeps {
  readonly catalog: Catalog;
  readonly fs: Fs;
  readonly imageTool: ImageTool;
  readonly log: Logger;
  readonly storeRoot: string;
  /**
   * Told of every point a verify found broken, whatever started it (the daemon sends a `verify`
   * notification to the receivers of the task owning the chain). Must not throw.
   */
  readonly onVerifyFailure?: (failure: VerifyFailure) => void;
}

export interface VerifyFailure {
  readonly point: Point;
  readonly trigger: VerifyTrigger;
  readonly deep: boolean;
  readonly summary: string;
  /** Points now corrupt. */
  readonly corrupt: readonly string[];
}

export interface VerifyOptions {
  readonly deep?: boolean;
  /** What started it (default manual); told to onVerifyFailure. */
  readonly trigger?: VerifyTrigger;
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

export interface ChainVerifyResult {
  readonly chainId: string;
  readonly ok: boolean;
  readonly summary: string;
  readonly points: readonly VerifyResult[];
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

/** Files the check before a restore reads at once. */
const RESTORE_CHECK_CONCURRENCY = 3;

export class VerifyService {
  constructor(private readonly deps: VerifyDeps) {}

  async verifyPoint(pointId: string, opts: VerifyOptions = {}): Promise<VerifyResult> {
    const point = this.deps.catalog.getPoint(pointId);
    if (point === null) throw new VirtpointError('POINT_NOT_FOUND', `no point ${pointId}`);
    assertVerifiable(point);
    const [result] = await this.run([point], opts);
    return result!;
  }

  /**
   * The quick check before a restore reads the point (rollback, create-volume, create-image):
   * the files of `targets` it reads through. Nothing is recorded when they are ok; otherwise the
   * point (and the later points of its chain) become corrupt and POINT_CORRUPT names the file —
   * before the restore has touched anything.
   */
  async checkBeforeRestore(point: Point, targets: readonly string[], signal?: AbortSignal): Promise<void> {
    const { members, files } = chainFiles(this.deps.catalog, point);
    // files checked a few at once: a restore waits for this (a chain of 30 is 30 files, each
    // with two qemu-img runs); the background verifies go one file at a time
    const findings = await this.check(
      files.filter((f) => targets.includes(f.target)),
      signal,
      undefined,
      RESTORE_CHECK_CONCURRENCY,
    );
    const summary = summarize(findings);
    if (summary.ok) return;
    const corrupt = corruptPoints(members, findings);
    this.deps.catalog.verify.recordVerify({
      pointId: point.id,
      ok: false,
      detail: { deep: false, summary: summary.text, files: findings },
      corrupt,
    });
    this.deps.log.warn(
      { point: point.id, chain: point.chainId, domain: point.domainUuid, summary: summary.text },
      'the check before a restore failed: points marked corrupt, nothing restored',
    );
    this.tell({ point, trigger: 'before-restore', deep: false, summary: summary.text, corrupt });
    throw new VirtpointError(
      'POINT_CORRUPT',
      `point ${point.id} cannot be restored: ${summary.text}; it is now corrupt (nothing was touched)`,
      { details: { corrupt } },
    );
  }

  /** Verifies every readable point of a chain, each file read once; oldest point first. */
  async verifyChain(chainId: string, opts: VerifyOptions = {}): Promise<ChainVerifyResult> {
    const { catalog } = this.deps;
    const chain = catalog.getChain(chainId);
    if (chain === null) throw new VirtpointError('CHAIN_NOT_FOUND', `no chain ${chainId}`);
    const points = catalog
      .listPoints({ chainId })
      .filter((p) => p.state === 'available' || p.state === 'corrupt')
      .sort((a, b) => a.seq - b.seq);
    if (points.length === 0) {
      throw new VirtpointError('INVALID_STATE', `chain ${chainId} has no available point to verify`);
    }
    const busy = catalog.listPoints({ chainId }).find((p) => isPointBusy(p.state));
    if (busy !== undefined) assertVerifiable(busy);
    const results = await this.run(points, opts);
    const corrupt = [...new Set(results.flatMap((r) => r.corrupt))];
    const bad = results.filter((r) => !r.ok);
    return {
      chainId,
      ok: bad.length === 0,
      summary:
        bad.length === 0
          ? `ok (${results.length} point${results.length === 1 ? '' : 's'})`
          : `${bad.length} of ${results.length} points not ok`,
      points: results,
      corrupt,
    };
  }

  /**
   * Checks each file the points read through once (the newest point's lineage holds them all),
   * then judges and records each point by its own lineage; the last record marks the corrupt.
   */
  private async run(points: readonly Point[], opts: VerifyOptions): Promise<VerifyResult[]> {
    const { catalog, log } = this.deps;
    const deep = opts.deep === true;
    const newest = points[points.length - 1]!;
    const { members, lineage: newestLineage, files } = chainFiles(catalog, newest);
    // each point reads through the part of the newest point's lineage up to itself
    const lineages = new Map(
      points.map((p) => [p.id, new Set(newestLineage.filter((x) => x.seq <= p.seq).map((x) => x.id))]),
    );
    const total = files.length + (deep ? points.reduce((n, p) => n + p.disks.length, 0) : 0);
    const progress = { done: 0, total };
    const tick = () => {
      progress.done++;
      opts.onProgress?.({ ...progress });
    };
    const findings = await this.check(files, opts.signal, tick);
    const deepFindings = new Map<string, FileFinding[]>();
    if (deep && findings.every((f) => f.verdict === 'ok')) {
      for (const p of points) deepFindings.set(p.id, await this.readThrough(p, opts.signal, tick));
    }
    const all = [...findings, ...[...deepFindings.values()].flat()];
    const corrupt = corruptPoints(members, all);
    const results = points.map((p, i): VerifyResult => {
      const lineage = lineages.get(p.id)!;
      const own = replaceWith(
        findings.filter((f) => lineage.has(f.pointId)),
        deepFindings.get(p.id) ?? [],
      );
      const summary = summarize(own);
      const last = i === points.length - 1;
      const mine = corrupt.filter((id) => lineage.has(id) || last);
      catalog.verify.recordVerify({
        pointId: p.id,
        ok: summary.ok,
        detail: { deep, summary: summary.text, files: own },
        corrupt: last ? corrupt : [],
      });
      const at = { point: p.id, chain: p.chainId, domain: p.domainUuid, deep };
      if (summary.ok) log.info({ ...at, files: own.length }, 'point verified');
      else log.warn({ ...at, summary: summary.text }, 'point verify failed: marked corrupt');
      return {
        pointId: p.id,
        ok: summary.ok,
        deep,
        summary: summary.text,
        files: own,
        corrupt: summary.ok ? [] : mine,
      };
    });
    // one report per run: the oldest failed point (the later ones read through it)
    const bad = results.findIndex((r) => !r.ok);
    if (bad >= 0) {
      const trigger = opts.trigger ?? 'manual';
      this.tell({ point: points[bad]!, trigger, deep, summary: results[bad]!.summary, corrupt });
    }
    return results;
  }

  private tell(failure: VerifyFailure): void {
    try {
      this.deps.onVerifyFailure?.(failure);
    } catch (e) {
      this.deps.log.warn({ point: failure.point.id, err: String(e) }, 'could not report a verify failure');
    }
  }

  /** The quick check of each file: what is on disk judged against what was recorded. */
  private async check(
    files: readonly ExpectedFile[],
    signal: AbortSignal | undefined,
    tick: () => void = () => undefined,
    concurrency = 1,
  ): Promise<FileFinding[]> {
    const findings: FileFinding[] = new Array<FileFinding>(files.length);
    await eachLimit(files, concurrency, async (want, i) => {
      stopIfCanceled(signal);
      findings[i] = judgeFile(want, await observeFile(this.deps, want, signal));
      tick();
    });
    return findings;
  }

  /** Deep: each disk of the point read through its whole chain; the failures as findings. */
  private async readThrough(point: Point, signal: AbortSignal | undefined, tick: () => void) {
    const out: FileFinding[] = [];
    for (const d of point.disks) {
      stopIfCanceled(signal);
      const path = resolveStorePath(this.deps.storeRoot, d.path);
      const err = await this.deps.imageTool.readAll(path, d.format, d.virtualSize, signal);
      if (err !== null) {
        out.push({
          pointId: point.id,
          seq: point.seq,
          target: d.target,
          path: d.path,
          verdict: 'qemu-img-error',
          detail: `reading the whole chain of ${d.target} failed: ${err}`,
        });
      }
      tick();
    }
    return out;
  }
}

/** The point's own findings with the deep ones put in place of the same file's. */
function replaceWith(findings: FileFinding[], deep: readonly FileFinding[]): FileFinding[] {
  const out = [...findings];
  for (const d of deep) {
    const i = out.findIndex((f) => f.pointId === d.pointId && f.target === d.target);
    if (i >= 0) out[i] = d;
    else out.push(d);
  }
  return out;
}

/** JOB_CANCELED once the job is canceled (checked between files). */
function stopIfCanceled(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new VirtpointError('JOB_CANCELED', 'the verify was canceled');
}
