/**
 * The records of the catalog (ports/catalog.ts): domains, chains, points, jobs, volumes and
 * images as the services read and write them. Types only; re-exported by ports/catalog.ts.
 */

import type { NewChainReason } from '../core/chain-decision.js';
import type { CodedError } from '../core/errors.js';
import type { FinalJobState, JobState, JobType, Trigger } from '../core/job-state.js';
import type { Consistency, PointKind, PointState } from '../core/point-state.js';
import type { FileFinding } from '../core/verify.js';
import type { FileChecksum } from './fs.js';

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
  /** The file's length when written or last rewritten; null before that (or before checksums). */
  readonly fileSize: number | null;
  /** Hex sha256 of the file's bytes then; null like fileSize. */
  readonly sha256: string | null;
}

export type VerifyState = 'never' | 'ok' | 'failed';

/** What the last verify of a point found (docs/verify.md). */
export interface PointVerify {
  readonly state: VerifyState;
  /** When; null while never verified. */
  readonly at: number | null;
  /** Null while never verified. */
  readonly detail: VerifyDetail | null;
}

export interface VerifyDetail {
  readonly deep: boolean;
  /** One line: `ok (4 files)` or the files not ok with their verdicts. */
  readonly summary: string;
  /** Every file read through, oldest point first. */
  readonly files: readonly FileFinding[];
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
  readonly verify: PointVerify;
}

export interface Job {
  readonly id: string;
  readonly type: JobType;
  readonly state: JobState;
  readonly trigger: Trigger;
  readonly domainUuid: string | null;
  /** The domain's name as the catalog knows it (null: no domain, or not known). */
  readonly domainName?: string | null;
  /** The point the job works on or made (kept after the point is deleted). */
  readonly pointId: string | null;
  /**
   * Bytes done / total; total null while unknown. `phase`: what the job does now, for people
   * (`writing vda`); only in the job's events while it runs, never stored.
   */
  readonly progress: { readonly done: number; readonly total: number | null; readonly phase?: string };
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
  /** The id to give the point (a fresh one when absent); ALREADY_EXISTS when taken. */
  readonly id?: string;
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
  /** Length and sha256 of the file per target, as just written. */
  readonly checksums?: Readonly<Record<string, FileChecksum>>;
}

export interface PointFilter {
  readonly domainUuid?: string;
  readonly chainId?: string;
  readonly state?: PointState | readonly PointState[];
  readonly kind?: PointKind;
  readonly trigger?: Trigger;
  /** Made at or after this time (ms). */
  readonly since?: number;
  /** Made before this time (ms). */
  readonly until?: number;
  /** Names containing this text (case-insensitive). */
  readonly nameContains?: string;
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
