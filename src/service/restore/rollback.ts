import { dirname } from 'node:path';
import { VirtpointError } from '../../core/errors.js';
import { newId, type RandomBytes } from '../../core/names.js';
import { allOrThrow, settleAll } from '../../core/settle.js';
import type { RollbackResult } from '../../contract/index.js';
import { validateShutdownTimeoutMs } from '../../core/limits.js';
import type { Catalog, Point } from '../../ports/catalog.js';
import type { Clock, Fs } from '../../ports/fs.js';
import type { DomainInfo, Hypervisor } from '../../ports/hypervisor.js';
import type { ImageTool } from '../../ports/image-tool.js';
import type { Logger } from '../../ports/logger.js';
import { dropOwnCheckpoints } from './drop-checkpoints.js';
import { shutDownDomain } from './domain-power.js';
import { DomainLocks } from '../jobs/domain-locks.js';
import { besidePath, jobError, noCheck, requireAvailable, requirePoint, whileReading } from './common.js';
import type { Verified } from './common.js';
import type { RestoreRunOptions } from './common.js';
import { planRollback, type RollbackDiskPlan } from './plan.js';
import { localSource, type RestoreSource } from './source.js';

/**
 * Rollback (docs/restore.md): puts disks of a domain back to a point. The domain is shut down
 * (ACPI, then agent; destroyed only with `force`), each disk is flattened from the point into a
 * new file beside the original, which is renamed over the original only once every disk is
 * written; until then the originals are untouched and any failure leaves everything as it was
 * (temp files removed, point `available`, the domain started again if it ran). Afterwards the
 * domain's checkpoints of this catalog are dropped (metadata only: their bitmaps went with the
 * old files; backup/checkpoints.ts ownCheckpoint says which are ours: checkpoints of other tools
 * and other catalogs are left and reported), its open chains sealed `restored`, and the domain
 * started if it ran (or as asked).
 */

export interface RollbackRequest {
  /** Name or UUID. */
  readonly domain: string;
  readonly pointId: string;
  /** Point disks to restore; all of the point's disks when omitted. */
  readonly disks?: readonly string[];
  /** Point disk → another disk of the domain (capacity ≥ the point's; never data → system). */
  readonly map?: Readonly<Record<string, string>>;
  /** Start the domain afterwards; default: if it was running. */
  readonly start?: boolean;
  /** Destroy the domain when it does not shut down in time (default false: error). */
  readonly force?: boolean;
  /** Graceful shutdown timeout (default 120 s, at most 1 h). */
  readonly shutdownTimeoutMs?: number;
}

export interface RollbackDeps {
  readonly hypervisor: Hypervisor;
  readonly imageTool: ImageTool;
  readonly catalog: Catalog;
  readonly fs: Fs;
  readonly clock: Clock;
  readonly random: RandomBytes;
  readonly log: Logger;
  readonly storeRoot: string;
  /** Domain state poll interval while shutting down (default 500 ms). */
  readonly pollMs?: number;
  /** Share the backup service's locks so a rollback never overlaps a backup of the domain. */
  readonly locks?: DomainLocks;
}

/** What checkRollback found: the point, its domain and which file goes where. */
export interface CheckedRollback {
  readonly point: Point;
  readonly domain: DomainInfo;
  readonly plan: RollbackDiskPlan[];
}

/**
 * How the point is held while it is read: whileReading for a local point (its files checked
 * first, or `alongside` the copies for a domain that is off), nothing for fetched files.
 */
type Reading = <T>(
  disks: readonly string[],
  alongside: boolean,
  fn: (verified: Verified) => Promise<T>,
) => Promise<T>;

interface Written extends RollbackDiskPlan {
  readonly tmp: string;
  /** A second name of the original while the renames run, to put it back on failure. */
  readonly keep: string;
}

export class RollbackService {
  readonly locks: DomainLocks;

  constructor(private readonly deps: RollbackDeps) {
    this.locks = deps.locks ?? new DomainLocks();
  }

  /**
   * Everything that can be checked without changing anything. Run once when a rollback is
   * submitted (bad input → 4xx, nothing queued) and once more under the domain's lock.
   */
  async checkRollback(req: RollbackRequest): Promise<CheckedRollback> {
    validateShutdownTimeoutMs(req.shutdownTimeoutMs);
    const point = requirePoint(this.deps.catalog, req.pointId);
    const domain = await this.deps.hypervisor.lookupDomain(req.domain);
    if (point.domainUuid !== domain.uuid) {
      throw new VirtpointError(
        'INVALID_ARGUMENT',
        `point ${point.id} belongs to domain ${this.deps.catalog.getDomain(point.domainUuid)?.name ?? point.domainUuid} (${point.domainUuid}), not to ${domain.name}`,
      );
    }
    requireAvailable(point);
    const src = localSource(this.deps.storeRoot, point);
    return { point, domain, plan: await planRollback(this.deps.hypervisor, domain, src, req) };
  }

  /**
   * checkRollback for a resolved source (a point on a target, restore/source.ts): the domain must
   * be the point's (its manifest's domain UUID); its files are checked by the fetch (sha256).
   */
  async checkFromSource(req: RollbackRequest, src: RestoreSource): Promise<Omit<CheckedRollback, 'point'>> {
    validateShutdownTimeoutMs(req.shutdownTimeoutMs);
    const domain = await this.deps.hypervisor.lookupDomain(req.domain);
    if (src.domainUuid !== domain.uuid) {
      throw new VirtpointError(
        'INVALID_ARGUMENT',
        `point ${src.pointId} on target ${src.from ?? '(local)'} is of domain ${src.domainUuid}, not of ${domain.name} (${domain.uuid}); restore it as a new domain with virtpoint remote restore, or its disks with volume create --from`,
      );
    }
    return { domain, plan: await planRollback(this.deps.hypervisor, domain, src, req) };
  }

  /** The body of a rollback job from a resolved source: under the domain's lock, checked again. */
  runFromSource(uuid: string, req: RollbackRequest, src: RestoreSource, opts: RestoreRunOptions = {}) {
    return this.locks.run(uuid, async () => {
      const { domain, plan } = await this.checkFromSource({ ...req, domain: uuid }, src);
      return this.rollbackLocked(src.pointId, domain, plan, req, opts, (_d, _a, fn) => fn(noCheck));
    });
  }

  /** Rolls `req.domain` (name or UUID) back now: run() on its UUID. */
  async rollback(req: RollbackRequest, opts: RestoreRunOptions = {}): Promise<RollbackResult> {
    const { uuid } = await this.deps.hypervisor.lookupDomain(req.domain);
    return this.run(uuid, req, opts);
  }

  /**
   * The body of a rollback job: under the domain's lock, checked once more, then the rollback.
   * `prior`: what checkRollback found when the job was submitted. The point and the domain are
   * read again under the lock; the disk plan is kept when the domain's disks are still those it
   * was made for (planned once), else made again.
   */
  run(
    uuid: string,
    req: RollbackRequest,
    opts: RestoreRunOptions = {},
    prior?: CheckedRollback,
  ): Promise<RollbackResult> {
    return this.locks.run(uuid, async () => {
      const { point, domain, plan } = await this.recheck(uuid, req, prior);
      const reading: Reading = (disks, alongside, fn) =>
        whileReading(this.deps, point, disks, fn, opts.signal, alongside);
      return this.rollbackLocked(point.id, domain, plan, req, opts, reading);
    });
  }

  private async recheck(uuid: string, req: RollbackRequest, prior?: CheckedRollback) {
    if (prior === undefined || prior.domain.uuid !== uuid)
      return this.checkRollback({ ...req, domain: uuid });
    const point = requirePoint(this.deps.catalog, prior.point.id);
    requireAvailable(point);
    const domain = await this.deps.hypervisor.lookupDomain(uuid);
    if (JSON.stringify(domain.disks) !== JSON.stringify(prior.domain.disks))
      return this.checkRollback({ ...req, domain: uuid });
    return { point, domain, plan: prior.plan };
  }

  private async rollbackLocked(
    pointId: string,
    domain: DomainInfo,
    plan: RollbackDiskPlan[],
    req: RollbackRequest,
    opts: RestoreRunOptions,
    reading: Reading,
  ) {
    const { hypervisor: hv, log } = this.deps;
    const uuid = domain.uuid;
    return reading(
      plan.map((d) => d.source),
      domain.state === 'shutoff', // a running domain is shut down only for a point found sound
      async (verified) => {
        const wasActive = domain.state !== 'shutoff';
        log.info({ uuid, point: pointId, disks: plan.map((d) => `${d.source}→${d.target}`) }, 'rollback');
        const written: Written[] = [];
        const stranded = new Set<string>();
        try {
          const total = bytesOf(plan);
          if (wasActive) {
            const via = domain.hasAgentChannel ? 'agent and ACPI' : 'ACPI';
            opts.onProgress?.({ done: 0, total, phase: `shutting down ${domain.name} via ${via}` });
            await shutDownDomain(hv, this.deps.clock, log, domain, {
              timeoutMs: validateShutdownTimeoutMs(req.shutdownTimeoutMs),
              force: req.force === true,
              ...(this.deps.pollMs !== undefined ? { pollMs: this.deps.pollMs } : {}),
              ...(opts.signal ? { signal: opts.signal } : {}),
            });
          }
          const id = newId(this.deps.random);
          let done = 0;
          // the copies one after the other (one store read at a time); each file's resize, owner
          // and fsync run while the next disk copies; all are synced before the first rename
          const finishing: Promise<void>[] = [];
          try {
            for (const d of plan) {
              const phase = `writing ${d.target}`;
              opts.onProgress?.({ done, total, phase });
              const w = {
                ...d,
                tmp: besidePath(d.targetPath, 'restore', id),
                keep: besidePath(d.targetPath, 'orig', id),
              };
              written.push(w);
              await this.copyTemp(w, opts, (part) => opts.onProgress?.({ done: done + part, total, phase }));
              const finished = this.finishTemp(w);
              finished.catch(() => undefined); // handled: awaited below, never unhandled meanwhile
              finishing.push(finished);
              done += d.virtualSize;
              opts.onProgress?.({ done, total, phase });
            }
            await allOrThrow(finishing);
          } finally {
            await settleAll(finishing); // nothing left running when undo removes the temp files
          }
          await verified();
          if ((await hv.getDomainState(uuid)) !== 'shutoff') {
            throw new VirtpointError(
              'INVALID_STATE',
              `domain ${domain.name} was started during the rollback`,
            );
          }
          await this.swap(written, stranded);
        } catch (e) {
          await this.undo(uuid, written, wasActive, stranded);
          const err = jobError(e, opts.signal, 'the rollback');
          log.warn(
            { uuid, point: pointId, code: err.code, err: err.message },
            'rollback failed; nothing changed',
          );
          throw err;
        }
        const starting = () =>
          opts.onProgress?.({ done: bytesOf(plan), total: bytesOf(plan), phase: `starting ${domain.name}` });
        return this.afterSwap(uuid, plan, written, req.start ?? wasActive, starting);
      },
    );
  }

  /** The point's disk, flattened into a temp file beside the target. */
  private async copyTemp(w: Written, opts: RestoreRunOptions, progress: (bytes: number) => void) {
    await this.deps.imageTool.convert(w.sourceFile, w.tmp, {
      format: w.targetFormat,
      onProgress: (pct) => progress(Math.floor((w.virtualSize * pct) / 100)),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  }

  /** The temp file sized, owned and moded like the target, then synced. */
  private async finishTemp(w: Written) {
    const { fs, imageTool } = this.deps;
    const st = await fs.stat(w.targetPath);
    if (w.capacity > w.virtualSize) await imageTool.resize(w.tmp, w.capacity, w.targetFormat);
    await Promise.all([fs.chown(w.tmp, st.uid, st.gid), fs.chmod(w.tmp, st.mode)]);
    await fs.fsyncFile(w.tmp);
  }

  /**
   * Renames every temp file over its original. Each original first gets a second name (a hard
   * link) so that when a rename fails, the disks already renamed are put back: all or nothing.
   */
  private async swap(written: readonly Written[], stranded: Set<string>): Promise<void> {
    const { fs, log } = this.deps;
    await allOrThrow(written.map((w) => fs.link(w.targetPath, w.keep)));
    const renamed: Written[] = [];
    try {
      await allOrThrow(
        written.map(async (w) => {
          await fs.rename(w.tmp, w.targetPath);
          renamed.push(w);
        }),
      );
    } catch (e) {
      for (const w of renamed.reverse()) {
        try {
          await fs.rename(w.keep, w.targetPath);
        } catch (e2) {
          stranded.add(w.keep);
          log.error(
            { disk: w.target, original: w.keep, err: String(e2) },
            'could not put the original disk file back; it is kept under the name shown',
          );
          throw new VirtpointError(
            'IO_ERROR',
            `rollback failed and disk ${w.target} could not be put back: its original file is ${w.keep}; rename it to ${w.targetPath}`,
            { cause: e },
          );
        }
      }
      throw e;
    }
    await Promise.all(
      [...new Set(written.map((w) => dirname(w.targetPath)))].map((dir) =>
        fs.fsyncDir(dir).catch((e) => log.error({ dir, err: String(e) }, 'could not fsync a disk directory')),
      ),
    );
  }

  /**
   * The originals' second names go only after the chains are sealed: until one of the two is on
   * disk, a kill -9 would leave a rollback that happened looking like one that never started
   * (reconcile reads the second names, and then the seal, to tell a completed rollback).
   */
  private async dropOriginals(written: readonly Written[]): Promise<void> {
    const { fs, log } = this.deps;
    await Promise.all(
      written.map((w) =>
        fs
          .removeFile(w.keep)
          .catch((e) => log.error({ file: w.keep, err: String(e) }, 'could not remove the old disk file')),
      ),
    );
  }

  /** After a failure: temp files and second names gone, the domain running again if it ran. */
  private async undo(
    uuid: string,
    written: readonly Written[],
    wasActive: boolean,
    stranded: ReadonlySet<string>,
  ): Promise<void> {
    const { fs, hypervisor: hv, log } = this.deps;
    for (const w of written) {
      for (const f of [w.tmp, w.keep]) {
        if (stranded.has(f)) continue; // the only name left of an original: reported by swap
        await fs
          .removeFile(f)
          .catch((e) => log.error({ file: f, err: String(e) }, 'could not remove a temp file'));
      }
    }
    if (!wasActive) return;
    try {
      if ((await hv.getDomainState(uuid)) === 'shutoff') await hv.startDomain(uuid);
    } catch (e) {
      log.error({ uuid, err: String(e) }, 'could not start the domain again after a failed rollback');
    }
  }

  private async afterSwap(
    uuid: string,
    plan: readonly RollbackDiskPlan[],
    written: readonly Written[],
    start: boolean,
    starting?: () => void,
  ): Promise<RollbackResult> {
    const { catalog, hypervisor: hv, log } = this.deps;
    catalog.transaction(() => {
      for (const c of catalog.listChains({ domainUuid: uuid, state: 'open' }))
        catalog.sealChain(c.id, 'restored');
    });
    await this.dropOriginals(written);
    const { dropped: checkpointsDropped, foreign: foreignCheckpoints } = await dropOwnCheckpoints(
      hv,
      catalog,
      log,
      uuid,
    );
    let started = false;
    if (start) {
      try {
        starting?.();
        await hv.startDomain(uuid);
        started = true;
      } catch (e) {
        log.error({ uuid, err: String(e) }, 'rollback done, but the domain could not be started');
      }
    }
    log.info({ uuid, checkpointsDropped, foreignCheckpoints, started }, 'rollback done');
    return {
      disks: plan.map((d) => ({ source: d.source, target: d.target, bytes: d.virtualSize })),
      checkpointsDropped,
      foreignCheckpoints,
      started,
    };
  }
}

/** The bytes a rollback writes: the virtual sizes of its disks. */
function bytesOf(plan: readonly RollbackDiskPlan[]): number {
  return plan.reduce((n, d) => n + d.virtualSize, 0);
}
