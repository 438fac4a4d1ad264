/**
 * The Catalog port: virtpoint's records of domains, chains, points (with their disks) and jobs.
 * Implemented on SQLite (src/adapters/sqlite/). Methods are synchronous (the catalog is a local
 * database); `transaction(fn)` groups several calls into one atomic unit (nested calls become
 * savepoints).
 *
 * - Lookups (`get…`) return null when nothing matches; changes to a missing record throw
 *   POINT_NOT_FOUND / CHAIN_NOT_FOUND / JOB_NOT_FOUND / DOMAIN_NOT_FOUND.
 * - Every point state change is one transaction that re-reads the state and checks the
 *   transition (core/point-state.ts): an illegal one throws INVALID_STATE and changes nothing.
 * - A point that goes to `error` after having been usable (`available`, `restoring`) seals its
 *   chain (reason `previous-point-unusable`) in the same transaction: an open chain holds
 *   `error` points only for failed backups (see core/chain-decision.ts).
 * - At most one open chain per domain + disk set; creating a second one throws ALREADY_EXISTS.
 * - Point names are unique per domain (ALREADY_EXISTS).
 * - Times are milliseconds since the epoch; sizes are bytes.
 */

import type { NewChainReason } from '../core/chain-decision.js';
import type { CodedError } from '../core/errors.js';
import type { FinalJobState, JobState, JobType, Trigger } from '../core/job-state.js';
import type { Consistency, PointKind, PointState } from '../core/point-state.js';
import type { DomainUsage } from '../core/usage.js';
import type { SchedulingCatalog } from './scheduling-catalog.js';
import type { VerifyCatalog } from './verify-catalog.js';
import type { CopiesCatalog } from './copies-catalog.js';

export type { NewChainReason, FinalJobState, JobState, JobType, Trigger, PointState, DomainUsage };
export type { CodedError, Consistency, PointKind };

export type * from './catalog-records.js';
import type {
  Domain,
  ChainSealReason,
  Chain,
  Point,
  Job,
  NewChain,
  NewPoint,
  PointStatePatch,
  PointFilter,
  ChainFilter,
  NewJob,
  JobFilter,
  JobOutcome,
  Volume,
  NewVolume,
  Image,
  NewImage,
} from './catalog-records.js';

export interface Catalog {
  /** Run `fn` in one transaction (savepoint when nested); rolled back if it throws. */
  transaction<T>(fn: () => T): T;

  /** Jobs and their outcomes. */
  readonly jobs: JobCatalog;
  /** Volumes and images made from points. */
  readonly artifacts: ArtifactCatalog;
  /** Checksums and verify results of points (ports/verify-catalog.ts). */
  readonly verify: VerifyCatalog;
  /** Targets, copies of points on them, uploads in flight (ports/copies-catalog.ts). */
  readonly copies: CopiesCatalog;
  /** Policies, tasks, run history, scheduler state (ports/scheduling-catalog.ts). */
  readonly scheduling: SchedulingCatalog;
  /** Consistent copies and the import of records rebuilt from manifests (docs/recovery.md). */
  readonly recovery: RecoveryCatalog;
  /**
   * Moves everything in the write-ahead log into the database file and truncates the log
   * (`wal_checkpoint(TRUNCATE)`): after it, `catalog.db` alone holds the whole catalog. Called
   * after each job and at shutdown; a busy reader makes it partial, never wrong.
   */
  checkpoint(): void;

  // domains
  upsertDomain(domain: { uuid: string; name: string }): Domain;
  getDomain(uuid: string): Domain | null;
  listDomains(): Domain[];

  // chains
  createChain(input: NewChain): Chain;
  getChain(id: string): Chain | null;
  /** Oldest first. */
  listChains(filter?: ChainFilter): Chain[];
  /** The open chain of a domain + disk set of an owner (task id; null, the default: manual). */
  getOpenChain(domainUuid: string, diskSet: readonly string[], owner?: string | null): Chain | null;
  /**
   * The newest open or sealed chain of a domain + disk set of an owner (task id; null, the
   * default: manual); pending and failed chains are never continued.
   */
  getLatestChain(domainUuid: string, diskSet: readonly string[], owner?: string | null): Chain | null;
  /** Seals an open chain; a sealed chain is returned unchanged (first reason kept). */
  sealChain(id: string, reason: ChainSealReason): Chain;
  /** Deletes a chain with all its points (the store files are the caller's business). */
  deleteChain(id: string): void;

  // points
  /** Creates a point in state `creating`, with its disks. */
  createPoint(input: NewPoint): Point;
  getPoint(id: string): Point | null;
  getPointByName(domainUuid: string, name: string): Point | null;
  /** Ordered by createdAt, then seq. */
  listPoints(filter?: PointFilter): Point[];
  /** One transaction: re-read, check the transition, write state + patch. */
  updatePointState(id: string, to: PointState, patch?: PointStatePatch): Point;
  /** `updatePointState(id, 'error', { error })`. */
  setPointError(id: string, error: CodedError): Point;
  /** Records the allocated size of each given target (state unchanged). */
  setPointSizes(id: string, sizes: Readonly<Record<string, number>>): Point;
  /** Records consistency and freeze window (state unchanged). */
  setPointCapture(
    id: string,
    capture: { consistency: Consistency; consistencyReason?: string | null; freezeMs?: number | null },
  ): Point;
  /** Removes the point row and its disks. */
  deletePoint(id: string): void;
  /**
   * A synthetic full (retention's `drop-full-keep-rest`, DeleteService.dropFullKeepRest): makes
   * an `available` incremental point the full point of its chain once its files no longer have a
   * backing file. Allowed only while every point of the chain with a lower seq is `deleting` or
   * `error` (nothing usable comes before it) and the chain's current full point is among them,
   * `deleting`; otherwise INVALID_STATE and nothing changes. The point keeps its seq (> 0), gets
   * kind `full` and the old full's `newChainReason`; its state stays `available`.
   */
  makeSyntheticFull(id: string): Point;

  // usage
  /** Per domain with at least one chain; sorted by UUID. */
  usage(): DomainUsage[];
  domainUsage(domainUuid: string): DomainUsage;

  close(): void;
}

/** The job records (`Catalog.jobs`). */
export interface JobCatalog {
  create(input: NewJob): Job;
  get(id: string): Job | null;
  list(filter?: JobFilter): Job[];
  /** queued → running; sets startedAt. */
  start(id: string): Job;
  setPoint(id: string, pointId: string | null): Job;
  progress(id: string, progress: { done: number; total?: number | null }): Job;
  /** → succeeded | failed | canceled; sets endedAt. */
  finish(id: string, outcome: JobOutcome): Job;
  /** Removes a finished job's record (INVALID_STATE while queued or running). */
  delete(id: string): void;
  /** Removes finished jobs (in `state` if given; ended before `endedBefore` ms if given); never a queued/running one. Returns how many. */
  deleteFinished(filter: { readonly state?: FinalJobState; readonly endedBefore?: number }): number;
}

/** Volumes and images made from points (`Catalog.artifacts`). */
export interface ArtifactCatalog {
  // volumes (create-volume)
  /** ALREADY_EXISTS when a volume with the same path is recorded. */
  createVolume(input: NewVolume): Volume;
  getVolume(id: string): Volume | null;
  /** Oldest first. */
  listVolumes(filter?: { readonly pointId?: string }): Volume[];
  /** VOLUME_NOT_FOUND when there is no such record. */
  deleteVolume(id: string): void;

  // images (create-image)
  /** ALREADY_EXISTS when the name is taken. */
  createImage(input: NewImage): Image;
  getImage(name: string): Image | null;
  /** Sorted by name. */
  listImages(filter?: { readonly pointId?: string }): Image[];
  /** NOT_FOUND when there is no such image. */
  deleteImage(name: string): void;
  /**
   * Names (sorted) of the images that protect the point: every image made from it (full or
   * linked: it stays until the image is deleted), and the linked images made on a later point of
   * its chain whose backing chain holds it (lower seq, not `error`). Deleting or merging such a
   * point: POINT_PROTECTED; retention skips it.
   */
  pointProtections(pointId: string): string[];
}

/** The catalog's recovery side (`Catalog.recovery`, docs/recovery.md). */
export interface ImportedChain {
  readonly chain: Chain;
  /** The chain's points, with their ids, states, times and disks as rebuilt. */
  readonly points: readonly Point[];
}

export interface RecoveryCatalog {
  /** True when the catalog holds no chain and no point. */
  isEmpty(): boolean;
  /**
   * Inserts domains, chains and points exactly as given (ids and times kept), in one
   * transaction. INVALID_STATE (nothing changes) unless the catalog is empty; ALREADY_EXISTS /
   * INVALID_ARGUMENT when the records collide or break a rule (one open chain per disk set, …).
   */
  importChains(domains: readonly Pick<Domain, 'uuid' | 'name'>[], chains: readonly ImportedChain[]): void;
  /**
   * A consistent copy of the whole database at `path` (SQLite's online backup), mode 0600. The
   * file must not exist; it is written beside as `<path>.virtpoint-tmp-…` and renamed.
   */
  backupTo(path: string): Promise<void>;
}
