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

export type { NewChainReason, FinalJobState, JobState, JobType, Trigger, PointState, DomainUsage };
export type { CodedError, Consistency, PointKind };

export interface Domain {
  readonly uuid: string;
  /** Last known name (display only). */
  readonly name: string;
  readonly firstSeenAt: number;
  readonly lastSeenAt: number;
}

/** pending: its full point is being made; failed: that point failed (migration-v7.ts). */
export type ChainState = 'pending' | 'open' | 'sealed' | 'failed';
/** Why a chain was sealed: the reason of the new chain that replaced it, or `restored`. */
export type ChainSealReason = NewChainReason | 'restored';

export interface Chain {
  readonly id: string;
  readonly domainUuid: string;
  /** Disk targets, sorted. */
  readonly diskSet: readonly string[];
  readonly maxLength: number;
  readonly state: ChainState;
  readonly sealReason: ChainSealReason | null;
  /** The task that made the chain (its retention manages it); null: manual backups. */
  readonly ownerTaskId: string | null;
  /** The task's name when the chain was made (shown once the task is deleted); null: manual. */
  readonly ownerName: string | null;
  /** A pending chain: the open chain it seals when its full point becomes available. */
  readonly replaces: string | null;
  readonly createdAt: number;
  readonly sealedAt: number | null;
}

/** Who makes and manages a chain: a task, or manual backups (null). */
export type ChainOwner = { readonly taskId: string; readonly name: string } | null;

export type DiskFormat = 'qcow2' | 'raw';

export interface PointDisk {
  readonly target: string;
  /** File path relative to the store root (core/store-layout.ts). */
  readonly path: string;
  /** Virtual size of the disk at the point. */
  readonly virtualSize: number;
  /** Allocated bytes of the file; null until known. */
  readonly size: number | null;
  readonly format: DiskFormat;
  /** The libvirt checkpoint made with this point (null for non-qcow2 disks). */
  readonly checkpoint: string | null;
}

export interface Point {
  readonly id: string;
  readonly name: string;
  readonly domainUuid: string;
  readonly chainId: string;
  readonly seq: number;
  readonly kind: PointKind;
  readonly state: PointState;
  /** Null until the capture is done. */
  readonly consistency: Consistency | null;
  /** Why the point is not filesystem-consistent (no agent, freeze timeout, …), or null. */
  readonly consistencyReason: string | null;
  /** Freeze window in ms; null when nothing was frozen. */
  readonly freezeMs: number | null;
  /** Set on full points: why a new chain was started. */
  readonly newChainReason: NewChainReason | null;
  readonly trigger: Trigger;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly error: CodedError | null;
  /** Sorted by target. */
  readonly disks: readonly PointDisk[];
}

export interface Job {
  readonly id: string;
  readonly type: JobType;
  readonly state: JobState;
  readonly trigger: Trigger;
  readonly domainUuid: string | null;
  /** The point the job works on or made (kept after the point is deleted). */
  readonly pointId: string | null;
  /** Bytes done / total; total null while unknown. */
  readonly progress: { readonly done: number; readonly total: number | null };
  readonly error: CodedError | null;
  /** Any JSON value the job reports at its end. */
  readonly result: unknown;
  readonly createdAt: number;
  readonly startedAt: number | null;
  readonly endedAt: number | null;
}

export interface NewChain {
  readonly domainUuid: string;
  readonly diskSet: readonly string[];
  /** 1–30 (INVALID_ARGUMENT otherwise); default 30. */
  readonly maxLength?: number;
  /** The open chain the new one replaces: sealed now, or (`pending`) when the full is available. */
  readonly seal?: { readonly chainId: string; readonly reason: ChainSealReason };
  /** Default null (manual backups). */
  readonly owner?: ChainOwner;
  /** Create it `pending`: it opens when its full point is `available`, fails with it. */
  readonly pending?: boolean;
}

export interface NewPointDisk {
  readonly target: string;
  readonly path: string;
  readonly virtualSize: number;
  readonly format: DiskFormat;
  readonly checkpoint: string | null;
}

export interface NewPoint {
  /** Already validated/generated (core/names.ts). */
  readonly name: string;
  readonly domainUuid: string;
  readonly chainId: string;
  readonly seq: number;
  readonly kind: PointKind;
  readonly trigger: Trigger;
  readonly newChainReason?: NewChainReason | null;
  readonly disks: readonly NewPointDisk[];
}

/** Fields written together with a state change, in the same transaction. */
export interface PointStatePatch {
  readonly error?: CodedError | null;
  readonly consistency?: Consistency | null;
  readonly consistencyReason?: string | null;
  readonly freezeMs?: number | null;
  /** Allocated bytes per target. */
  readonly sizes?: Readonly<Record<string, number>>;
}

export interface PointFilter {
  readonly domainUuid?: string;
  readonly chainId?: string;
  readonly state?: PointState | readonly PointState[];
  readonly kind?: PointKind;
  readonly trigger?: Trigger;
  /** Keyset paging: only points after this point id (in list order). */
  readonly after?: string;
  /** At most this many points. */
  readonly limit?: number;
}

export interface ChainFilter {
  readonly domainUuid?: string;
  readonly state?: ChainState;
  readonly diskSet?: readonly string[];
  /** A task id, or null for manual chains; undefined: any owner. */
  readonly owner?: string | null;
}

export interface NewJob {
  readonly type: JobType;
  readonly trigger: Trigger;
  readonly domainUuid?: string | null;
  readonly pointId?: string | null;
}

export interface JobFilter {
  readonly type?: JobType | readonly JobType[];
  readonly state?: JobState | readonly JobState[];
  readonly trigger?: Trigger;
  readonly domainUuid?: string;
  readonly pointId?: string;
  /** createdAt >= since */
  readonly since?: number;
  /** createdAt < until */
  readonly until?: number;
  /** Newest first when set; default oldest first, no limit. */
  readonly newestFirst?: boolean;
  readonly limit?: number;
}

export interface JobOutcome {
  readonly state: FinalJobState;
  readonly error?: CodedError | null;
  readonly result?: unknown;
}

/** Where a volume made by create-volume lives. */
export type VolumeLocation =
  { readonly kind: 'pool'; readonly pool: string } | { readonly kind: 'dir'; readonly dir: string };

/** A flattened, independent copy of one disk of a point (create-volume). */
export interface Volume {
  readonly id: string;
  readonly name: string;
  /** The point it was made from (kept after that point is deleted: history). */
  readonly pointId: string;
  readonly disk: string;
  readonly location: VolumeLocation;
  /** Absolute path of the file. */
  readonly path: string;
  readonly format: DiskFormat;
  readonly createdAt: number;
}

export interface NewVolume {
  readonly name: string;
  readonly pointId: string;
  readonly disk: string;
  readonly location: VolumeLocation;
  readonly path: string;
  readonly format: DiskFormat;
}

/** An image in the image directory (create-image): a flattened copy, or a linked overlay. */
export interface Image {
  /** Unique; also the file name in the image directory. */
  readonly name: string;
  readonly pointId: string;
  readonly disk: string;
  /** Absolute path of the file. */
  readonly path: string;
  /** A thin overlay on the point's file (protects the point and its ancestors), or a full copy. */
  readonly linked: boolean;
  readonly createdAt: number;
}

export type NewImage = Omit<Image, 'createdAt'>;

export interface Catalog {
  /** Run `fn` in one transaction (savepoint when nested); rolled back if it throws. */
  transaction<T>(fn: () => T): T;

  /** Jobs and their outcomes. */
  readonly jobs: JobCatalog;
  /** Volumes and images made from points. */
  readonly artifacts: ArtifactCatalog;
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
