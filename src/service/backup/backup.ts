import { decideChain, type ChainDecision, type CurrentDisk } from '../../core/chain-decision.js';
import { VirtpointError, toVirtpointError } from '../../core/errors.js';
import { DEFAULT_CHAIN_LENGTH } from '../../core/limits.js';
import {
  canonicalDiskSet,
  checkpointName,
  newId,
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
import type { Point, Trigger } from '../../ports/catalog.js';
import type { DiskInfo, DomainInfo } from '../../ports/hypervisor.js';
import { checkBackup, type BackupRequest, type CheckedBackup } from './check.js';
import { discardPoint, dropCheckpoints, undoBackup } from './cleanup.js';
import type { BackupDeps } from './deps.js';
import { removeFailedCheckpoints } from './checkpoints.js';
import { withReconnectRetry } from './retry.js';
import { allocatedBytes, checkSpace, preallocateFull, sourceAllocation } from './space.js';
import { ThawWatch } from './thaw-watch.js';
import { resumeAfterFailedJob } from './io-pause.js';
import { capture, checkThawed, type CaptureResult, type Quiesce } from './capture.js';
import { followBackupJob, nextJobCompleted } from './follow.js';
import { targetsReleased } from './released.js';
import { bitmapStates, chainToContinue, chainView, currentDisks, selectDisks } from './plan.js';
import { DomainLocks } from '../jobs/domain-locks.js';
import { writeBackupManifest } from '../recovery/manifest-writer.js';
import { pointChecksums } from '../verify/checksums.js';

/**
 * The backup use case (design.md, "The backup flow"): decide the chain, pre-create the target
 * files, freeze → backupBegin with the checkpoint → thaw, follow the job, and record the point.
 * On failure at any step after the point exists: the checkpoint this job created is deleted, the
 * partial files are removed, the point is `error` with the reason, and the chain does not advance.
 */

/** BackupService.plan: the decision a backup would make now. */
export interface BackupPlan {
  readonly domainUuid: string;
  /** The disk set (sorted targets) the backup would cover. */
  readonly diskSet: readonly string[];
  readonly decision: ChainDecision;
}

export interface BackupRunOptions {
  /** Called once the point exists (before anything is written), with its id. */
  readonly onPoint?: (pointId: string) => void;
  readonly onProgress?: (progress: { done: number; total: number | null }) => void;
  readonly signal?: AbortSignal;
  /** Called when the backup is tried again after libvirtd came back (retry.ts), with the reason. */
  readonly onRetry?: (reason: string) => void;
}

/** Internal: an incremental found its bitmap broken at backupBegin; undone, to be made as a full. */
class RetryAsFull extends Error {
  constructor(
    readonly pointId: string,
    override readonly cause: VirtpointError,
  ) {
    super(cause.message);
  }
}

export class BackupService {
  readonly locks: DomainLocks;

  /** The guest freeze timeout; the daemon changes it on a config reload. */
  freezeTimeoutMs: number;

  /** Guests whose agent did not answer after a backup, watched until they are known thawed. */
  readonly thawWatch: ThawWatch;

  constructor(private readonly deps: BackupDeps) {
    this.thawWatch = new ThawWatch(deps.hypervisor, deps.clock, deps.log);
    this.locks = deps.locks ?? new DomainLocks();
    this.freezeTimeoutMs = deps.freezeTimeoutMs ?? 10_000;
  }

  /** Backs up `req.domain` (name or UUID) now: run() on its UUID. */
  async backup(req: BackupRequest, opts: BackupRunOptions = {}): Promise<Point> {
    const { uuid } = await this.deps.hypervisor.lookupDomain(req.domain);
    return this.run(uuid, req, opts);
  }

  /** checkBackup (check.ts) with this service's ports. */
  check(req: BackupRequest): Promise<CheckedBackup> {
    return checkBackup(this.deps, req);
  }

  /**
   * The body of a backup job: under the domain's lock, checked once more, then the backup; cut
   * off by a libvirtd restart, it is tried once more after the reconnect (retry.ts).
   */
  run(uuid: string, req: BackupRequest, opts: BackupRunOptions = {}): Promise<Point> {
    return this.locks.run(uuid, async () => {
      const checked = await this.check({ ...req, domain: uuid });
      const trigger = req.trigger ?? 'manual';
      if (req.name !== undefined) validatePointName(req.name);
      const full = { ...req, quiesce: checked.quiesce, trigger };
      return withReconnectRetry(this.deps, uuid, checked.domain.state, opts, (o) =>
        this.backupWithRetry(checked, full, { ...opts, ...o }),
      );
    });
  }

  /**
   * A bitmap can turn out broken only when libvirt is asked to use it (a running domain whose
   * QEMU was killed: its bitmaps stay `in-use`). Then the incremental attempt is undone, its
   * point removed, and the backup made again as a new full chain (`bitmap-inconsistent`).
   */
  private async backupWithRetry(
    checked: CheckedBackup,
    req: BackupRequest & { quiesce: Quiesce; trigger: Trigger },
    opts: BackupRunOptions,
  ): Promise<Point> {
    const uuid = checked.domain.uuid;
    try {
      return await this.backupLocked(checked, req, opts, false);
    } catch (e) {
      if (!(e instanceof RetryAsFull)) throw e;
      this.deps.log.warn(
        { uuid, point: e.pointId, err: e.cause.message },
        'bitmap unusable: making a full backup',
      );
      discardPoint(this.deps.catalog, e.pointId);
      return this.backupLocked(checked, req, opts, true);
    }
  }

  private async backupLocked(
    checked: CheckedBackup,
    req: BackupRequest & { quiesce: Quiesce; trigger: Trigger },
    opts: BackupRunOptions,
    bitmapsBroken: boolean,
  ): Promise<Point> {
    const { hypervisor: hv, catalog, log } = this.deps;
    const { domain, disks, diskSet } = checked;
    const uuid = domain.uuid;
    catalog.upsertDomain({ uuid, name: domain.name });
    this.thawWatch.stop(uuid); // never thaw this backup's freeze
    await removeFailedCheckpoints(this.deps, uuid);

    const offline = domain.state === 'shutoff';
    const { current, decision } = await this.decide(uuid, domain, disks, diskSet, req, bitmapsBroken);
    const allocation = decision.kind === 'full' ? await sourceAllocation(this.deps, disks) : undefined;
    await checkSpace(this.deps, uuid, disks, decision, !offline, allocation);

    const capacities = new Map(current.map((d) => [d.target, d.capacity]));
    const point = this.createPoint(uuid, diskSet, disks, capacities, decision, req);
    opts.onPoint?.(point.id);
    log.info(
      { uuid, point: point.id, chain: point.chainId, seq: point.seq, reason: point.newChainReason },
      decision.kind === 'full' ? `new chain: ${decision.detail}` : 'incremental backup',
    );

    let begun = false;
    let started = false;
    try {
      await this.createTargets(point, decision, allocation);
      if (offline) {
        await hv.startDomain(uuid, { paused: true });
        started = true;
      }
      const completed = nextJobCompleted(hv, uuid);
      let result: CaptureResult | undefined;
      try {
        const withCheckpoint = point.disks.every((d) => d.checkpoint !== null);
        result = await capture(hv, this.deps.clock, log, {
          uuid,
          offline,
          quiesce: req.quiesce,
          hasAgentChannel: domain.hasAgentChannel,
          freezeTimeoutMs: this.freezeTimeoutMs,
          spec: {
            ...(decision.kind === 'incremental' ? { incrementalFrom: decision.parentCheckpoint } : {}),
            // read under this lock: no XML read inside the freeze window
            domainDisks: domain.disks
              .filter((d) => d.device === 'disk' && d.target !== '')
              .map((d) => d.target),
            disks: point.disks.map((d) => ({
              target: d.target,
              targetPath: resolveStorePath(this.deps.storeRoot, d.path),
              targetFormat: 'qcow2',
            })),
            ...(withCheckpoint
              ? {
                  checkpoint: {
                    name: point.disks[0]!.checkpoint!,
                    description: `virtpoint point ${point.id}`,
                  },
                }
              : {}),
          },
        });
        begun = true;
        await followBackupJob(
          hv,
          this.deps.clock,
          uuid,
          {
            pollMs: this.deps.pollMs ?? 250,
            ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
            ...(opts.signal ? { signal: opts.signal } : {}),
          },
          completed.promise,
        );
      } finally {
        completed.cancel();
        if (result && !(await checkThawed(hv, log, uuid, result.check))) this.thawWatch.start(uuid);
      }
      const files = point.disks.map((d) => resolveStorePath(this.deps.storeRoot, d.path));
      await targetsReleased(this.deps, files, opts.signal); // before sizes and checksums
      const sizes: Record<string, number> = {};
      for (const [i, d] of point.disks.entries())
        sizes[d.target] = await allocatedBytes(this.deps, files[i]!);
      const checksums = await pointChecksums(this.deps, point, opts.signal);
      const done = catalog.updatePointState(point.id, 'available', {
        sizes,
        checksums,
        consistency: result.consistency,
        consistencyReason: result.consistencyReason,
        freezeMs: result.freezeMs,
      });
      await writeBackupManifest(this.deps, done); // the store describes itself (docs/recovery.md)
      log.info(
        { uuid, point: point.id, consistency: result.consistency, freezeMs: result.freezeMs },
        'backup done',
      );
      if (decision.kind === 'full' && decision.sealChainId)
        await dropCheckpoints(this.deps, uuid, decision.sealChainId);
      return done;
    } catch (e) {
      const err = toVirtpointError(e, 'JOB_FAILED');
      const checkpointGone = await undoBackup(this.deps, point, begun, err);
      if (begun && domain.state === 'running') await resumeAfterFailedJob(this.deps, uuid, domain.name);
      if (decision.kind === 'incremental' && !begun && err.code === 'CHECKPOINT_INCONSISTENT') {
        throw new RetryAsFull(point.id, err);
      }
      // A canceled backup (the operator's choice) leaves nothing behind, not even a failed point
      // — unless its checkpoint is still in libvirt: its error point then proves it ours.
      if (opts.signal?.aborted && checkpointGone) discardPoint(catalog, point.id);
      throw err;
    } finally {
      if (started)
        await hv
          .destroyDomain(uuid)
          .catch((e) =>
            log.error({ uuid, err: String(e) }, 'could not stop the domain started for an offline backup'),
          );
    }
  }

  /**
   * A dry run: what a backup of `req` would decide now (incremental on which chain, or a new full
   * chain and why), without writing anything (no catalog change, no file, no lock). Used by the
   * scheduler's retention (`chains:N`) before a scheduled backup. The real backup decides again
   * under the domain's lock; the two differ only if something changes in between.
   */
  async plan(
    req: Pick<BackupRequest, 'domain' | 'disks' | 'full' | 'chainLength' | 'owner'>,
  ): Promise<BackupPlan> {
    const domain = await this.deps.hypervisor.lookupDomain(req.domain);
    const disks = selectDisks(domain, req.disks);
    const diskSet = canonicalDiskSet(disks.map((d) => d.target));
    const { decision } = await this.decide(domain.uuid, domain, disks, diskSet, req, false);
    return { domainUuid: domain.uuid, diskSet, decision };
  }

  private async decide(
    uuid: string,
    domain: DomainInfo,
    disks: readonly DiskInfo[],
    diskSet: readonly string[],
    req: Pick<BackupRequest, 'disks' | 'full' | 'chainLength' | 'owner'>,
    bitmapsBroken: boolean,
  ): Promise<{ current: CurrentDisk[]; decision: ChainDecision }> {
    const { hypervisor: hv, catalog } = this.deps;
    const offline = domain.state === 'shutoff';
    const current = await currentDisks(hv, uuid, disks);
    const checkpoints = await hv.listCheckpoints(uuid);
    const owner = req.owner?.taskId ?? null; // only the owner's chains (plan.ts chainToContinue)
    const chain = chainToContinue(catalog, uuid, diskSet, req.disks === undefined, owner);
    const view = chainView(catalog, chain);
    const tipCheckpoint = view?.points.filter((p) => p.state === 'available').at(-1)?.disks[0]?.checkpoint;
    const bitmaps = bitmapsBroken
      ? Object.fromEntries(disks.map((d) => [d.target, 'inconsistent' as const]))
      : await bitmapStates(
          this.deps.imageTool,
          disks,
          checkpoints.find((c) => c.name === tipCheckpoint),
          !offline,
        );
    const decision = decideChain({
      chain: view,
      disks: current,
      checkpoints: checkpoints.map((c) => ({
        name: c.name,
        bitmapDisks: c.disks.filter((d) => d.bitmap !== null).map((d) => d.target),
      })),
      bitmaps,
      full: req.full === true,
      maxLength: req.chainLength ?? chain?.maxLength,
    });
    return { current, decision };
  }

  private createPoint(
    uuid: string,
    diskSet: readonly string[],
    disks: readonly DiskInfo[],
    capacities: ReadonlyMap<string, number>,
    decision: ChainDecision,
    req: BackupRequest & { trigger: Trigger },
  ): Point {
    const { catalog } = this.deps;
    const withCheckpoint = disks.every((d) => d.format === 'qcow2');
    return catalog.transaction(() => {
      const chainId =
        decision.kind === 'incremental'
          ? decision.chainId
          : catalog.createChain({
              domainUuid: uuid,
              diskSet,
              maxLength: req.chainLength ?? DEFAULT_CHAIN_LENGTH,
              // issue 12 §4: pending until its full point is available (then it opens and seals
              // the chain it replaces); a failed full leaves it `failed`, the old chain open.
              pending: true,
              owner: req.owner ?? null, // the chain belongs to the backup's owner (task or manual)
              ...(decision.sealChainId
                ? { seal: { chainId: decision.sealChainId, reason: decision.reason } }
                : {}),
            }).id;
      const seq = decision.kind === 'incremental' ? decision.seq : 0;
      // The point's id is chosen here so that its default name carries it (manualbk_<its id>).
      const id = newId(this.deps.random);
      return catalog.createPoint({
        id,
        name: resolvePointName(req.name, req.trigger, id, req.owner != null),
        domainUuid: uuid,
        chainId,
        seq,
        kind: decision.kind,
        trigger: req.trigger,
        newChainReason: decision.kind === 'full' ? decision.reason : null,
        disks: disks.map((d) => ({
          target: d.target,
          path: pointDiskPath(uuid, chainId, d.target, seq),
          virtualSize: capacities.get(d.target) ?? 0,
          format: 'qcow2',
          checkpoint: withCheckpoint ? checkpointName(chainId, seq) : null,
        })),
      });
    });
  }

  private async createTargets(
    point: Point,
    decision: ChainDecision,
    allocation: ReadonlyMap<string, number> | undefined,
  ): Promise<void> {
    const { fs, imageTool, storeRoot } = this.deps;
    await fs.mkdir(resolveStorePath(storeRoot, chainDir(point.domainUuid, point.chainId)), STORE_DIR_MODE);
    for (const d of point.disks) {
      const path = resolveStorePath(storeRoot, d.path);
      await imageTool.create(path, {
        format: 'qcow2',
        size: d.virtualSize,
        // full targets of mostly allocated disks only (space.ts preallocateFull)
        ...(decision.kind === 'full' && preallocateFull(allocation?.get(d.target), d.virtualSize)
          ? { preallocation: 'metadata' as const }
          : {}),
        ...(decision.kind === 'incremental'
          ? {
              backingFile: relativeBackingPath(d.target, decision.parentSeq),
              backingFormat: 'qcow2' as const,
            }
          : {}),
      });
      await fs.chmod(path, STORE_FILE_MODE);
    }
  }
}
