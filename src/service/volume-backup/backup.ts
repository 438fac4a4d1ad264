/**
 * The backup of a detached volume (docs/backup-engine.md "Detached volumes"): under the
 * resource's lock, the volume is checked detached, the chain decided as for a domain disk
 * (core/chain-decision.ts, with the volume's persistent bitmaps in place of libvirt's
 * checkpoints: the bitmap of point seq N of chain C is `vp-C-N`), the point's file pre-created,
 * and QEMU's backup job run offline in a short-lived qemu-storage-daemon (ports/offline-backup.ts).
 * Failure at any step after the point exists: its file is removed, the point is `error`, the
 * chain does not advance (service/backup/cleanup.ts undoBackup, the same as a domain's).
 */

import { decideChain, type ChainDecision } from '../../core/chain-decision.js';
import { VirtpointError, toVirtpointError } from '../../core/errors.js';
import { DEFAULT_CHAIN_LENGTH } from '../../core/limits.js';
import {
  checkpointName,
  newId,
  parseCheckpointName,
  resolvePointName,
  validatePointName,
} from '../../core/names.js';
import {
  chainDir,
  pointDiskPath,
  relativeBackingPath,
  resolveStorePath,
  STORE_DIR_MODE,
  STORE_FILE_MODE,
} from '../../core/store-layout.js';
import type { ChainOwner, Point, Trigger } from '../../ports/catalog.js';
import { discardPoint, undoBackup } from '../backup/cleanup.js';
import { chainView } from '../backup/plan.js';
import { DomainLocks } from '../jobs/domain-locks.js';
import { writePointManifest } from '../recovery/manifest-writer.js';
import { pointChecksums } from '../verify/checksums.js';
import type { VolumeBackupDeps } from './deps.js';
import {
  assertDetached,
  resourceRecord,
  resolveVolume,
  VOLUME_TARGET,
  type ResolvedVolume,
  type VolumeRef,
} from './resource.js';

export interface VolumeBackupRequest {
  readonly volume: VolumeRef;
  readonly full?: boolean;
  readonly name?: string;
  readonly chainLength?: number;
  readonly trigger?: Trigger;
  readonly owner?: ChainOwner;
}

export interface VolumeBackupOptions {
  readonly onPoint?: (pointId: string) => void;
  readonly onProgress?: (p: { done: number; total: number | null }) => void;
  readonly signal?: AbortSignal;
}

type Bitmap = ResolvedVolume['bitmaps'][number];

export class VolumeBackupService {
  readonly locks: DomainLocks;

  constructor(private readonly deps: VolumeBackupDeps) {
    this.locks = deps.locks ?? new DomainLocks();
  }

  /** Resolves and checks the volume (INVALID_ARGUMENT, NOT_FOUND, IN_USE); writes nothing. */
  async check(req: VolumeBackupRequest): Promise<ResolvedVolume> {
    if (req.name !== undefined) validatePointName(req.name);
    const v = await resolveVolume(this.deps, req.volume);
    await assertDetached(this.deps.hypervisor, v);
    if (req.name !== undefined && this.deps.catalog.getPointByName(v.uuid, req.name) !== null)
      throw new VirtpointError('ALREADY_EXISTS', `volume ${v.label} already has a point named ${req.name}`);
    return v;
  }

  /** The body of a volume backup job: under the resource's lock, checked again, then backed up. */
  run(uuid: string, req: VolumeBackupRequest, opts: VolumeBackupOptions = {}): Promise<Point> {
    return this.locks.run(uuid, async () => {
      const v = await this.check(req);
      if (v.uuid !== uuid)
        throw new VirtpointError('INVALID_STATE', `volume ${v.label} is now another file; back it up again`);
      return this.backupLocked(v, { ...req, trigger: req.trigger ?? 'manual' }, opts);
    });
  }

  private async backupLocked(
    v: ResolvedVolume,
    req: VolumeBackupRequest & { trigger: Trigger },
    opts: VolumeBackupOptions,
  ): Promise<Point> {
    const { catalog, log, fs, storeRoot } = this.deps;
    this.deps.resources.upsert(resourceRecord(v));
    const owner = req.owner?.taskId ?? null;
    const chain = catalog.getLatestChain(v.uuid, [VOLUME_TARGET], owner);
    const decision = this.decide(v, chain === null ? null : chain.id, req);
    // Bitmaps of ours that can serve no incremental (a failed or killed attempt's, an inconsistent
    // one) are removed while no QEMU has the file open.
    const stale = v.bitmaps.filter((b) => this.isStale(v.uuid, b));
    for (const b of stale) {
      await this.deps.imageTool.removeBitmap(v.path, b.name);
      log.info({ volume: v.label, bitmap: b.name }, 'removed a bitmap of ours that no backup can use');
    }
    // After the job: an incremental's parent bitmap (the new one tracks from now on); a full's,
    // every bitmap of this owner's older chains. Other owners' and other tools' bitmaps stay.
    const removeAfter =
      decision.kind === 'incremental'
        ? [decision.parentCheckpoint]
        : v.bitmaps
            .filter((b) => !stale.includes(b) && this.chainOf(v.uuid, b)?.ownerTaskId === owner)
            .map((b) => b.name);
    await this.checkSpace(v, decision);

    const point = this.createPoint(v, decision, req);
    opts.onPoint?.(point.id);
    log.info(
      {
        volume: v.label,
        point: point.id,
        chain: point.chainId,
        seq: point.seq,
        reason: point.newChainReason,
      },
      decision.kind === 'full' ? `volume: new chain: ${decision.detail}` : 'volume: incremental backup',
    );
    const target = resolveStorePath(storeRoot, point.disks[0]!.path);
    try {
      await fs.mkdir(resolveStorePath(storeRoot, chainDir(v.uuid, point.chainId)), STORE_DIR_MODE);
      await this.deps.imageTool.create(target, {
        format: 'qcow2',
        size: v.virtualSize,
        ...(decision.kind === 'incremental'
          ? {
              backingFile: relativeBackingPath(VOLUME_TARGET, decision.parentSeq),
              backingFormat: 'qcow2' as const,
            }
          : {}),
      });
      await fs.chmod(target, STORE_FILE_MODE);
      await fs.mkdir(this.deps.runDir, 0o700);
      await this.deps.offline.run({
        source: v.path,
        sourceFormat: v.format,
        target,
        sync: decision.kind,
        ...(decision.kind === 'incremental' ? { bitmap: decision.parentCheckpoint } : {}),
        ...(v.format === 'qcow2' ? { newBitmap: checkpointName(point.chainId, point.seq) } : {}),
        removeBitmaps: removeAfter,
        runDir: this.deps.runDir,
        tag: point.id,
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      await fs.fsyncFile(target);
      await fs.fsyncDir(resolveStorePath(storeRoot, chainDir(v.uuid, point.chainId)));
      const size = (await this.deps.imageTool.info(target)).actualSize;
      const checksums = await pointChecksums(this.deps, point, opts.signal);
      const done = catalog.updatePointState(point.id, 'available', {
        sizes: { [VOLUME_TARGET]: size },
        checksums,
        // nothing runs on a detached volume: its point is what the file held
        consistency: 'filesystem',
        consistencyReason: 'detached volume (no VM wrote to it)',
        freezeMs: null,
      });
      this.deps.resources.touch(v.uuid, this.deps.clock.now());
      await writePointManifest(this.deps, done.id, { xml: null });
      log.info({ volume: v.label, point: done.id, kind: done.kind, size }, 'volume backup done');
      return done;
    } catch (e) {
      const err = toVirtpointError(e, 'JOB_FAILED');
      await undoBackup(this.deps, point, false, err);
      if (opts.signal?.aborted) discardPoint(catalog, point.id);
      throw err;
    }
  }

  /** The domain rules with the volume's bitmaps as checkpoints (seq N of chain C: `vp-C-N`). */
  private decide(v: ResolvedVolume, chainId: string | null, req: VolumeBackupRequest): ChainDecision {
    const chain = chainId === null ? null : this.deps.catalog.getChain(chainId);
    const view = chainView(this.deps.catalog, chain);
    const withBitmaps =
      view === null
        ? null
        : {
            ...view,
            points: view.points.map((p) => ({
              ...p,
              disks: p.disks.map((d) => ({ ...d, checkpoint: checkpointName(view.id, p.seq) })),
            })),
          };
    const tip = withBitmaps?.points.filter((p) => p.state === 'available').sort((a, b) => b.seq - a.seq)[0];
    const tipBitmap =
      tip === undefined ? undefined : v.bitmaps.find((b) => b.name === checkpointName(view!.id, tip.seq));
    const state =
      tipBitmap === undefined ? 'missing' : tipBitmap.flags.includes('in-use') ? 'inconsistent' : 'ok';
    return decideChain({
      chain: withBitmaps,
      disks: [{ target: VOLUME_TARGET, format: v.format, capacity: v.virtualSize }],
      // every point's bitmap name is "defined" (no metadata besides the bitmap itself): a
      // missing one is `bitmap-missing`
      checkpoints: (withBitmaps?.points ?? []).map((p) => {
        const name = checkpointName(view!.id, p.seq);
        return { name, bitmapDisks: v.bitmaps.some((b) => b.name === name) ? [VOLUME_TARGET] : [] };
      }),
      bitmaps: { [VOLUME_TARGET]: state },
      full: req.full === true,
      maxLength: req.chainLength ?? chain?.maxLength,
    });
  }

  /** The chain of this resource in this catalog that a `vp-<chain>-<seq>` bitmap names, or null. */
  private chainOf(uuid: string, b: Bitmap) {
    const parsed = parseCheckpointName(b.name);
    const chain = parsed === null ? null : this.deps.catalog.getChain(parsed.chainId);
    return chain !== null && chain.domainUuid === uuid ? chain : null;
  }

  /** Ours (chainOf) and useless: inconsistent, or no usable point stands at its seq. */
  private isStale(uuid: string, b: Bitmap): boolean {
    const chain = this.chainOf(uuid, b);
    if (chain === null) return false;
    if (b.flags.includes('in-use')) return true;
    const seq = parseCheckpointName(b.name)!.seq;
    const at = this.deps.catalog.listPoints({ chainId: chain.id }).filter((p) => p.seq === seq);
    return !at.some((p) => p.state === 'available' || p.state === 'restoring');
  }

  private async checkSpace(v: ResolvedVolume, decision: ChainDecision): Promise<void> {
    const { fs, storeRoot } = this.deps;
    await fs.mkdir(storeRoot, STORE_DIR_MODE);
    const need =
      (decision.kind === 'full' ? v.actualSize : 0) + (this.deps.spaceMarginBytes ?? 64 * 1024 * 1024);
    const free = await fs.freeBytes(storeRoot);
    if (free < need)
      throw new VirtpointError(
        'NO_SPACE',
        `the store ${storeRoot} has ${free} bytes free; this ${decision.kind} backup of volume ${v.label} ` +
          `needs about ${need} (${decision.kind === 'full' ? 'its allocated bytes and ' : ''}a margin): free space or delete points`,
      );
  }

  private createPoint(
    v: ResolvedVolume,
    decision: ChainDecision,
    req: VolumeBackupRequest & { trigger: Trigger },
  ): Point {
    const { catalog } = this.deps;
    return catalog.transaction(() => {
      const chainId =
        decision.kind === 'incremental'
          ? decision.chainId
          : catalog.createChain({
              domainUuid: v.uuid,
              diskSet: [VOLUME_TARGET],
              maxLength: req.chainLength ?? DEFAULT_CHAIN_LENGTH,
              pending: true,
              owner: req.owner ?? null,
              ...(decision.sealChainId
                ? { seal: { chainId: decision.sealChainId, reason: decision.reason } }
                : {}),
            }).id;
      const seq = decision.kind === 'incremental' ? decision.seq : 0;
      const id = newId(this.deps.random);
      return catalog.createPoint({
        id,
        name: resolvePointName(req.name, req.trigger, id, req.owner != null),
        domainUuid: v.uuid,
        chainId,
        seq,
        kind: decision.kind,
        trigger: req.trigger,
        newChainReason: decision.kind === 'full' ? decision.reason : null,
        disks: [
          {
            target: VOLUME_TARGET,
            path: pointDiskPath(v.uuid, chainId, VOLUME_TARGET, seq),
            virtualSize: v.virtualSize,
            format: 'qcow2',
            // the bitmap lives in the volume, not in libvirt: no checkpoint (name derived, above)
            checkpoint: null,
          },
        ],
      });
    });
  }
}
