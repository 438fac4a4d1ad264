import { VirtpointError, isVirtpointError, toVirtpointError } from '../../core/errors.js';
import { parseCheckpointName } from '../../core/names.js';
import { isPointBusy } from '../../core/point-state.js';
import { chainDir, resolveStorePath } from '../../core/store-layout.js';
import type { Catalog, Point } from '../../ports/catalog.js';
import type { Fs } from '../../ports/fs.js';
import type { Hypervisor } from '../../ports/hypervisor.js';
import type { ImageTool } from '../../ports/image-tool.js';
import type { Logger } from '../../ports/logger.js';
import { removePointManifest, writePointManifest } from '../recovery/manifest-writer.js';
import { rewritingFiles } from '../verify/checksums.js';

/**
 * Deleting points without losing later ones (design.md, "delete"):
 * - the full point (seq 0) deletes its whole chain;
 * - an incremental is merged into its child: the child's files are rebased onto the point's
 *   parent (qemu-img rebase copies what the child needs), and the point's libvirt checkpoint is
 *   deleted so its bitmap merges into the parent's; every later point stays restorable;
 * - `cascade` deletes the point and every later point of its chain;
 * - the newest point of an open chain leaves the chain open: its checkpoint's bitmap merges into
 *   the parent's, so the next incremental (from the new newest point) still sees every change.
 *   If that checkpoint cannot be deleted, the chain is sealed: the next backup is a full one.
 * - a point an image protects (the point any image — full or linked — was made from, and the
 *   ancestors of a linked image's point, see Catalog.pointProtections) is never deleted or
 *   merged: POINT_PROTECTED naming the images; so neither is its chain (full point, `chain
 *   delete`, refused at submit by checkChain) nor a cascade that includes it. Merging a *later*
 *   point into its child leaves the protected files alone and stays allowed.
 * - retention's `drop-full-keep-rest` (dropFullKeepRest): the full point goes while later points
 *   stay: the next usable point's files are rebased onto nothing (data copied: a synthetic full,
 *   Catalog.makeSyntheticFull), then the old full's checkpoint and files go. The chain stays open
 *   (if it was) and takes incrementals as before.
 * Points go `deleting`, then away — or `delete-failed` with the reason; a retry works.
 * libvirt deletes checkpoints only of running domains: a shut-off domain is started paused for
 * it and destroyed again.
 * Every point that goes is logged at info ('point deleted': point, chain, domain, domainName,
 * `how` — merge, cascade, chain, lone, drop-full — and the caller's `reason`, default `manual`).
 */

export interface DeleteDeps {
  readonly hypervisor: Hypervisor;
  readonly imageTool: ImageTool;
  readonly catalog: Catalog;
  readonly fs: Fs;
  readonly log: Logger;
  readonly storeRoot: string;
  /** POINT_IN_USE when something reads through the point's files (a mount; service/mount). */
  readonly inUse?: (point: Point) => VirtpointError | null;
}

export interface DeleteResult {
  /** Ids of the points that went. */
  readonly deleted: string[];
}

export class DeleteService {
  constructor(private readonly deps: DeleteDeps) {}

  /** The points a delete of `pointId` removes (for confirmations): the chain for a full point. */
  affected(pointId: string, cascade: boolean): Point[] {
    const point = this.require(pointId);
    const all = this.deps.catalog.listPoints({ chainId: point.chainId });
    if (point.kind === 'full') return all;
    return cascade ? all.filter((p) => p.seq >= point.seq) : [point];
  }

  /** Throws POINT_NOT_FOUND / POINT_BUSY / POINT_PROTECTED when the delete cannot start. */
  check(pointId: string, cascade: boolean): void {
    const points = this.affected(pointId, cascade);
    for (const p of points) {
      if (isPointBusy(p.state) && p.state !== 'deleting') {
        throw new VirtpointError('POINT_BUSY', `point ${p.id} is ${p.state}; wait for its job to end`);
      }
    }
    this.checkProtected(points);
  }

  /**
   * Throws CHAIN_NOT_FOUND / POINT_BUSY / POINT_PROTECTED when deleting the chain cannot start
   * (at submit, so that `chain delete` is refused up front, and again in the job).
   */
  checkChain(chainId: string): Point[] {
    if (this.deps.catalog.getChain(chainId) === null) {
      throw new VirtpointError('CHAIN_NOT_FOUND', `no chain ${chainId}`);
    }
    const points = this.deps.catalog.listPoints({ chainId });
    for (const p of points) {
      if (isPointBusy(p.state) && p.state !== 'deleting') {
        throw new VirtpointError('POINT_BUSY', `point ${p.id} of chain ${chainId} is ${p.state}`);
      }
    }
    this.checkProtected(points);
    return points;
  }

  /** POINT_PROTECTED naming the images when an image protects one of the points. */
  private checkProtected(points: readonly Point[]): void {
    for (const p of [...points].sort((a, b) => a.seq - b.seq)) {
      const inUse = this.deps.inUse?.(p) ?? null;
      if (inUse !== null) throw inUse;
      const images = this.deps.catalog.artifacts.pointProtections(p.id);
      if (images.length > 0) {
        const which = images.length === 1 ? `image ${images[0]}` : `images ${images.join(', ')}`;
        throw new VirtpointError(
          'POINT_PROTECTED',
          `point ${p.id} (seq ${p.seq} of chain ${p.chainId}) is protected by ${which} ` +
            `(made from it, or linked onto it); delete the image first (virtpoint image delete)`,
          { details: { pointId: p.id, images } },
        );
      }
    }
  }

  async deletePoint(pointId: string, opts: { cascade: boolean; reason?: string }): Promise<DeleteResult> {
    const point = this.require(pointId);
    if (point.kind === 'full') return this.deleteChain(point.chainId, opts.reason);
    this.check(pointId, opts.cascade);
    const victims = this.affected(pointId, opts.cascade).sort((a, b) => b.seq - a.seq);
    this.mark(victims);
    const deleted: string[] = [];
    try {
      for (const v of victims) {
        await this.removeOne(v);
        deleted.push(v.id);
        this.logDeleted(v, opts.cascade ? 'cascade' : 'merge', opts.reason);
      }
    } catch (e) {
      this.fail(
        victims.filter((v) => !deleted.includes(v.id)),
        e,
      );
      throw e;
    }
    return { deleted };
  }

  /**
   * Deletes exactly this point, whatever its kind, without touching the rest of its chain: for
   * points no kept point depends on (retention's `delete-failed-point`, and `delete-point` of a
   * full point when only failed points remain). A usable later point would be merged into as for
   * an incremental.
   */
  async deleteLone(pointId: string, reason?: string): Promise<DeleteResult> {
    const point = this.require(pointId);
    if (isPointBusy(point.state) && point.state !== 'deleting') {
      throw new VirtpointError('POINT_BUSY', `point ${point.id} is ${point.state}; wait for its job to end`);
    }
    this.checkProtected([point]);
    this.mark([point]);
    try {
      await this.removeOne(point);
    } catch (e) {
      this.fail([point], e);
      throw e;
    }
    this.logDeleted(point, 'lone', reason);
    return { deleted: [point.id] };
  }

  /**
   * `point delete --errors` (issue 12 §4): the domain's error points in one go. A chain holding
   * only error points (a failed chain: its full failed) goes whole, with its checkpoints; any
   * other error point goes alone — unless its checkpoint is still in libvirt (it proves the
   * checkpoint ours: the next backup removes it first), or its files are still there while a later
   * usable point may back onto them (it went bad after it was available): those are kept and
   * named. The caller holds the domain (a job).
   */
  async deleteErrors(domainUuid: string): Promise<DeleteResult & { kept: string[] }> {
    const { catalog, fs, storeRoot, hypervisor } = this.deps;
    const deleted: string[] = [];
    const kept: string[] = [];
    const checkpoints = new Set(
      (await hypervisor.listCheckpoints(domainUuid).catch(() => [])).map((c) => c.name),
    );
    for (const chain of catalog.listChains({ domainUuid })) {
      const points = catalog.listPoints({ chainId: chain.id });
      const errors = points.filter((p) => p.state === 'error');
      if (errors.length === 0) continue;
      if (errors.length === points.length) {
        deleted.push(...(await this.deleteChain(chain.id, 'error points')).deleted);
        continue;
      }
      for (const p of errors) {
        const cp = p.disks[0]?.checkpoint ?? null;
        const later = points.some((q) => q.seq > p.seq && q.state !== 'error');
        let files = false;
        for (const d of p.disks) files ||= await fs.exists(resolveStorePath(storeRoot, d.path));
        if ((cp !== null && checkpoints.has(cp)) || (files && later)) kept.push(p.id);
        else deleted.push(...(await this.deleteLone(p.id, 'error points')).deleted);
      }
    }
    if (deleted.length > 0) this.deps.log.info({ domain: domainUuid, deleted, kept }, 'error points deleted');
    return { deleted, kept };
  }

  async deleteChain(chainId: string, reason?: string): Promise<DeleteResult> {
    const { catalog, fs, storeRoot } = this.deps;
    const points = this.checkChain(chainId);
    const chain = catalog.getChain(chainId);
    if (chain === null) throw new VirtpointError('CHAIN_NOT_FOUND', `no chain ${chainId}`);
    this.mark(points);
    try {
      await this.dropChainCheckpoints(chain.domainUuid, chainId);
      for (const p of points) await this.removeFiles(p);
      await fs.removeDirIfEmpty(resolveStorePath(storeRoot, chainDir(chain.domainUuid, chainId)));
      catalog.deleteChain(chainId);
    } catch (e) {
      this.fail(points, e);
      throw e;
    }
    for (const p of points) this.logDeleted(p, 'chain', reason);
    return { deleted: points.map((p) => p.id) };
  }

  /**
   * Drops the chain's full point `pointId` and makes `newFullPointId` — the next usable point —
   * the chain's full point: its files are rebased onto nothing (`imageTool.rebase(path, null)`:
   * the data it read from the old full is copied in, so its content stays whole), the catalog
   * makes it `full` (makeSyntheticFull), then the old full's checkpoint (a root: its bitmap is
   * simply dropped) and files go. Later points keep backing onto the new full unchanged.
   * INVALID_ARGUMENT when the points do not fit that shape; POINT_BUSY / POINT_PROTECTED as for
   * any delete (a linked image on any point of the chain protects the full point).
   */
  async dropFullKeepRest(pointId: string, newFullPointId: string, reason?: string): Promise<DeleteResult> {
    const { catalog, imageTool, storeRoot } = this.deps;
    const full = this.require(pointId);
    const next = this.require(newFullPointId);
    const between = catalog
      .listPoints({ chainId: full.chainId })
      .filter((p) => p.seq > full.seq && p.seq < next.seq && p.state !== 'error');
    if (full.kind !== 'full' || next.chainId !== full.chainId || next.seq <= full.seq || between.length > 0) {
      throw new VirtpointError(
        'INVALID_ARGUMENT',
        `point ${newFullPointId} is not the point right after the full point ${pointId} of its chain`,
      );
    }
    for (const p of [full, next]) {
      if (isPointBusy(p.state) && p.state !== 'deleting') {
        throw new VirtpointError('POINT_BUSY', `point ${p.id} is ${p.state}; wait for its job to end`);
      }
    }
    if (next.state !== 'available') {
      throw new VirtpointError('INVALID_STATE', `point ${next.id} is ${next.state}, not available`);
    }
    this.checkProtected([full]);
    this.mark([full]);
    try {
      await rewritingFiles(
        this.deps,
        next,
        next.disks.map((d) => d.target),
        async () => {
          for (const d of next.disks) await imageTool.rebase(resolveStorePath(storeRoot, d.path), null);
        },
      );
      catalog.makeSyntheticFull(next.id);
      const cp = full.disks[0]?.checkpoint ?? null;
      if (cp !== null && full.state !== 'error') await this.deleteCheckpoint(full.domainUuid, cp);
      await this.removeFiles(full);
      catalog.deletePoint(full.id);
      await writePointManifest(this.deps, next.id); // now a full point: kind and parent change
    } catch (e) {
      this.fail([full], e);
      throw e;
    }
    this.logDeleted(full, 'drop-full', reason, { newFull: next.id, newFullSeq: next.seq });
    return { deleted: [full.id] };
  }

  /** The info line of a point that went (issue 12 §5). */
  private logDeleted(p: Point, how: string, reason = 'manual', extra: object = {}): void {
    const domainName = this.deps.catalog.getDomain(p.domainUuid)?.name ?? p.domainUuid;
    this.deps.log.info(
      {
        point: p.id,
        pointName: p.name,
        chain: p.chainId,
        seq: p.seq,
        domain: p.domainUuid,
        domainName,
        how,
        reason,
        ...extra,
      },
      'point deleted',
    );
  }

  private async removeOne(point: Point): Promise<void> {
    const { catalog, imageTool, storeRoot } = this.deps;
    const chainPoints = catalog.listPoints({ chainId: point.chainId });
    const child = chainPoints
      .filter((p) => p.seq > point.seq && p.state !== 'error' && p.id !== point.id)
      .sort((a, b) => a.seq - b.seq)[0];
    if (point.state !== 'error' && child !== undefined) {
      // Merge into the child: its files get the point's parent as backing, with the data copied.
      const merged = child.disks.filter((d) => point.disks.some((x) => x.target === d.target));
      await rewritingFiles(
        this.deps,
        child,
        merged.map((d) => d.target),
        async () => {
          for (const d of merged) {
            const own = point.disks.find((x) => x.target === d.target)!;
            const parent = (await imageTool.info(resolveStorePath(storeRoot, own.path))).backingFile;
            await imageTool.rebase(resolveStorePath(storeRoot, d.path), parent, 'qcow2');
          }
        },
      );
    }
    const cp = point.disks[0]?.checkpoint ?? null;
    if (cp !== null && point.state !== 'error') {
      const merged = await this.deleteCheckpoint(point.domainUuid, cp);
      if (!merged && child === undefined) {
        // The parent's bitmap did not get this point's changes: no incremental may follow it.
        catalog.sealChain(point.chainId, 'checkpoint-missing');
      }
    }
    await this.removeFiles(point);
    catalog.deletePoint(point.id);
    if (point.state !== 'error' && child !== undefined) await writePointManifest(this.deps, child.id);
  }

  /** Deletes a checkpoint (its bitmap merges into its parent). Returns false when it could not. */
  private async deleteCheckpoint(uuid: string, name: string): Promise<boolean> {
    const { log } = this.deps;
    try {
      await this.withActiveDomain(uuid, () => this.deps.hypervisor.deleteCheckpoint(uuid, name));
      return true;
    } catch (e) {
      if (isVirtpointError(e, 'CHECKPOINT_NOT_FOUND')) return true;
      if (isVirtpointError(e, 'DOMAIN_NOT_FOUND')) return false;
      log.warn({ uuid, checkpoint: name, err: String(e) }, 'checkpoint delete failed; dropping its metadata');
      await this.deps.hypervisor.deleteCheckpoint(uuid, name, { metadataOnly: true }).catch(() => undefined);
      return false;
    }
  }

  private async dropChainCheckpoints(uuid: string, chainId: string): Promise<void> {
    let names: string[];
    try {
      names = (await this.deps.hypervisor.listCheckpoints(uuid))
        .map((c) => c.name)
        .filter((n) => parseCheckpointName(n)?.chainId === chainId)
        .sort((a, b) => (parseCheckpointName(b)?.seq ?? 0) - (parseCheckpointName(a)?.seq ?? 0));
    } catch (e) {
      if (isVirtpointError(e, 'DOMAIN_NOT_FOUND')) return;
      throw e;
    }
    for (const n of names) await this.deleteCheckpoint(uuid, n);
  }

  private async withActiveDomain<T>(uuid: string, fn: () => Promise<T>): Promise<T> {
    const hv = this.deps.hypervisor;
    if ((await hv.getDomainState(uuid)) !== 'shutoff') return fn();
    await hv.startDomain(uuid, { paused: true });
    try {
      return await fn();
    } finally {
      await hv
        .destroyDomain(uuid)
        .catch((e) => this.deps.log.error({ uuid, err: String(e) }, 'could not stop the domain again'));
    }
  }

  private async removeFiles(point: Point): Promise<void> {
    for (const d of point.disks) await this.deps.fs.removeFile(resolveStorePath(this.deps.storeRoot, d.path));
    await removePointManifest(this.deps, point);
  }

  private mark(points: readonly Point[]): void {
    const { catalog } = this.deps;
    catalog.transaction(() => {
      for (const p of points) if (p.state !== 'deleting') catalog.updatePointState(p.id, 'deleting');
    });
  }

  private fail(points: readonly Point[], e: unknown): void {
    const err = toVirtpointError(e);
    for (const p of points) {
      try {
        if (this.deps.catalog.getPoint(p.id)?.state === 'deleting') {
          this.deps.catalog.updatePointState(p.id, 'delete-failed', {
            error: { code: err.code, message: err.message },
          });
        }
      } catch (e2) {
        this.deps.log.error({ point: p.id, err: String(e2) }, 'could not mark the point delete-failed');
      }
    }
  }

  private require(pointId: string): Point {
    const p = this.deps.catalog.getPoint(pointId);
    if (p === null) throw new VirtpointError('POINT_NOT_FOUND', `no point ${pointId}`);
    return p;
  }
}
