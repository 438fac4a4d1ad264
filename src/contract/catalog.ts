/**
 * Wire types of the catalog side of the v1 API (docs/api.md): status, domains, points, chains,
 * jobs, usage, and the filters their lists take. A contract: the CLI's `--json` prints these
 * shapes as they are. Times are ISO 8601 strings (UTC); sizes are bytes.
 */

import type { CopyView } from './copies.js';
import type { PointVerifyView } from './verify.js';
import type { NewChainReason } from '../core/chain-decision.js';
import type { JobState, JobType, Trigger } from '../core/job-state.js';
import type { Consistency, PointKind, PointState } from '../core/point-state.js';
import type { StoreStatusView } from './recovery.js';

export interface CodedErrorView {
  readonly code: string;
  readonly message: string;
}

export interface PointDiskView {
  readonly target: string;
  /** Absolute path of the point's file for this disk. */
  readonly path: string;
  readonly virtualSize: number;
  /** Allocated bytes; null while unknown. */
  readonly size: number | null;
  /** Hex sha256 of the file as written (docs/verify.md); null: not recorded. */
  readonly sha256: string | null;
}

/**
 * Who made and manages a point or chain: `manual` (manual backups), the task's name, or
 * `(deleted task NAME)` once that task is deleted (its points are kept: `point list --orphaned`).
 */
export interface OwnerFields {
  readonly owner: string;
  /** The owning task's id; null for manual backups. */
  readonly ownerTaskId: string | null;
}

export interface PointView extends OwnerFields {
  readonly id: string;
  readonly name: string;
  /** Domain UUID. */
  readonly domain: string;
  readonly domainName: string;
  readonly chainId: string;
  /** 0 = full. */
  readonly seq: number;
  readonly kind: PointKind;
  readonly state: PointState;
  readonly consistency: Consistency | null;
  readonly consistencyReason: string | null;
  readonly freezeMs: number | null;
  readonly newChainReason: NewChainReason | null;
  readonly trigger: Trigger;
  readonly createdAt: string;
  readonly error: CodedErrorView | null;
  readonly disks: readonly PointDiskView[];
  /** The last verify of the point (docs/verify.md). */
  readonly verify: PointVerifyView;
  /** Its copies on targets (docs/copies.md), oldest change first. */
  readonly copies: readonly CopyView[];
}

export interface ChainView extends OwnerFields {
  readonly id: string;
  readonly domain: string;
  readonly domainName: string;
  readonly disks: readonly string[];
  readonly maxLength: number;
  readonly state: 'pending' | 'open' | 'sealed' | 'failed';
  readonly sealReason: string | null;
  /** Points in the chain (all states). */
  readonly points: number;
  readonly bytes: number;
  readonly createdAt: string;
}

export interface JobView {
  readonly id: string;
  readonly type: JobType;
  readonly state: JobState;
  readonly trigger: Trigger;
  /** Domain UUID. */
  readonly domain: string | null;
  /** The domain's name as the catalog knows it; null without a domain. */
  readonly domainName: string | null;
  readonly pointId: string | null;
  /** `phase` (rollback: `shutting down web1 via agent and ACPI`, `writing vda`, `starting web1`) only in the events stream. */
  readonly progress: { readonly done: number; readonly total: number | null; readonly phase?: string };
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly endedAt: string | null;
  readonly error: CodedErrorView | null;
  readonly result: unknown;
}

export interface DomainDiskView {
  readonly target: string;
  readonly path: string | null;
  readonly format: string | null;
  readonly bus: string;
  readonly device: string;
}

export interface DomainView {
  readonly uuid: string;
  readonly name: string;
  readonly state: string;
  readonly hasAgentChannel: boolean;
  readonly disks: readonly DomainDiskView[];
  readonly chains: number;
  readonly points: number;
  readonly bytes: number;
  readonly lastPoint: {
    readonly id: string;
    readonly name: string;
    readonly createdAt: string;
    readonly state: PointState;
  } | null;
}

export interface UsageView {
  readonly domain: string;
  readonly domainName: string;
  readonly chains: number;
  readonly points: number;
  readonly bytes: number;
  /** Volumes and images made from the domain's points (recorded; their files live outside the store). */
  readonly volumes?: number;
  readonly images?: number;
}

export interface StatusView {
  readonly version: string;
  readonly libvirtConnected: boolean;
  readonly queue: { readonly queued: number; readonly running: number };
  readonly storeRoot: string;
  readonly startedAt: string;
  /** What the last store scan found that the catalog does not know (docs/recovery.md). */
  readonly store: StoreStatusView;
  /** Free space of the store's filesystem and the catalog's size (null: unreadable). */
  readonly space?: { readonly storeFreeBytes: number | null; readonly catalogBytes: number | null };
}

export interface PointFilterInput {
  /** Name or UUID. */
  readonly domain?: string;
  readonly chain?: string;
  readonly state?: PointState;
  /** Only the points whose owning task is deleted. */
  readonly orphaned?: boolean;
  /** Made at or after this time (ISO 8601, or `24h`/`7d`/`30d` back from now in a query). */
  readonly since?: number;
  /** Made before this time. */
  readonly until?: number;
  /** Names containing this text (case-insensitive). */
  readonly name?: string;
  /** Paging: the points after this point id, in list order (oldest first). */
  readonly after?: string;
  /** Paging: at most this many points. */
  readonly limit?: number;
}

/** DELETE /v1/jobs: which finished jobs go (at least one field). */
export interface JobDeleteInput {
  readonly state?: 'failed' | 'canceled';
  /** ms since the epoch: jobs that ended before it. */
  readonly before?: number;
}

export interface JobFilterInput {
  readonly type?: JobType;
  readonly state?: JobState;
  readonly trigger?: Trigger;
  /** Name or UUID. */
  readonly domain?: string;
  /** ms since the epoch, inclusive. */
  readonly since?: number;
  /** ms since the epoch, exclusive. */
  readonly until?: number;
  readonly limit?: number;
}
