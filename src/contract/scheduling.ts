/** Wire types of policies, tasks and task runs (docs/scheduling.md, docs/api.md). */

import type { Consistency, PointKind } from '../core/point-state.js';
import type { CodedErrorView } from './catalog.js';

export type ScheduleView =
  | { readonly kind: 'weekly'; readonly days: readonly string[]; readonly times: readonly string[] }
  | { readonly kind: 'every-days'; readonly n: number; readonly times: readonly string[] };

export interface PolicyView {
  readonly name: string;
  readonly enabled: boolean;
  readonly schedule: ScheduleView;
  /** Names of the tasks bound to it, sorted. */
  readonly tasks: readonly string[];
  readonly createdAt: string;
  /** The next fire instant in the host's time zone; null when disabled. */
  readonly nextRun: string | null;
}

export interface TaskResourceView {
  /** Domain UUID. */
  readonly domain: string;
  /** Last known name. */
  readonly domainName: string;
  /** Chosen disk targets, or null for all disks. */
  readonly disks: readonly string[] | null;
  /** A detached volume (`domain` is then its resource UUID): `POOL/VOL` or the path, as given. */
  readonly volume?: string;
}

export type TaskRunTrigger = 'schedule' | 'manual' | 'catch-up';
export type TaskRunOutcome =
  'running' | 'succeeded' | 'succeeded-with-warnings' | 'partial' | 'failed' | 'skipped' | 'missed';

export interface TaskView {
  readonly name: string;
  readonly enabled: boolean;
  readonly resources: readonly TaskResourceView[];
  /** Policy names, in the order given at creation. */
  readonly policies: readonly string[];
  readonly chainLength: number;
  /** `forever`, `chains:N`, `count:N` or `days:N`. */
  readonly retention: string;
  /** Receiver texts: `webhook:https://…`, `exec:/path`, `journal`. */
  readonly receivers: readonly string[];
  /** Each new point is verified (quick) right after its backup. */
  readonly verifyAfter: boolean;
  /** Target names each new point is copied to after its backup (retried with backoff). */
  readonly copyTo: readonly string[];
  readonly runCount: number;
  readonly lastRun: {
    readonly id: string;
    readonly trigger: TaskRunTrigger;
    readonly startedAt: string;
    readonly endedAt: string | null;
    readonly outcome: TaskRunOutcome;
    /** The run's warnings (TaskRunView.warnings); empty when none. */
    readonly warnings: readonly string[];
  } | null;
  readonly createdAt: string;
  /**
   * Create and update (of the resources) only: another task already backs up one of its
   * resources (allowed: each task keeps its own chains; costs one more bitmap per disk).
   */
  readonly warnings?: readonly string[];
}

export interface TaskRunResourceView {
  readonly domain: string;
  readonly domainName: string;
  readonly disks?: readonly string[];
  readonly outcome: 'succeeded' | 'failed' | 'skipped';
  readonly jobId?: string;
  readonly pointId?: string;
  readonly pointName?: string;
  readonly kind?: PointKind;
  readonly consistency?: Consistency;
  /** Set when the resource succeeded with warnings (crash-consistent fallback). */
  readonly warnings?: readonly string[];
  readonly error?: CodedErrorView;
  /** The task's verify-after check of the new point (absent when the task does not verify). */
  readonly verify?: { readonly state: 'ok' | 'failed' | 'skipped'; readonly summary: string };
}

export interface NotificationResultView {
  readonly receiver: string;
  readonly ok: boolean;
  readonly attempts: number;
  readonly error?: CodedErrorView;
  readonly httpStatus?: number;
  readonly durationMs: number;
}

export interface TaskRunView {
  readonly id: string;
  readonly task: string;
  readonly trigger: TaskRunTrigger;
  /** The policy that fired it or was run; null for `task run`. */
  readonly policy: string | null;
  readonly scheduledFor: string | null;
  readonly startedAt: string;
  readonly endedAt: string | null;
  readonly outcome: TaskRunOutcome;
  readonly resources: readonly TaskRunResourceView[];
  readonly notifications: readonly NotificationResultView[];
  /**
   * Every warning of the run: each resource's (`DOMAIN: …`) and each failed notification
   * delivery (`notification RECEIVER failed: …`); empty when none.
   */
  readonly warnings: readonly string[];
}

export interface PolicyCreateInput {
  readonly name: string;
  readonly schedule: ScheduleView;
  /** Default true. */
  readonly enabled?: boolean;
}

export interface PolicyUpdateInput {
  readonly name?: string;
  readonly schedule?: ScheduleView;
  readonly enabled?: boolean;
}

export interface TaskCreateInput {
  readonly name: string;
  /** Whole domains, by name or UUID. */
  readonly domains?: readonly string[];
  /** Chosen disks, `DOMAIN:TARGET`. */
  readonly disks?: readonly string[];
  /** Detached volumes: libvirt storage volumes `POOL/VOL`, and files under allowed_volume_dirs. */
  readonly volumes?: readonly string[];
  readonly volumePaths?: readonly string[];
  /** Policy names, 1–8. */
  readonly policies: readonly string[];
  /** 1–30, default 30. */
  readonly chainLength?: number;
  /** Default `forever`. */
  readonly retention?: string;
  readonly receivers?: readonly string[];
  /** Default true. */
  readonly enabled?: boolean;
  /** Default false: verify each new point (quick) right after its backup, before retention. */
  readonly verifyAfter?: boolean;
  /** Target names (at most 4) each new point is copied to after its backup; [] for none. */
  readonly copyTo?: readonly string[];
}

/** `domains`/`disks` given together replace the resources. */
export type TaskUpdateInput = Partial<Omit<TaskCreateInput, 'policies'>>;

/** POST /v1/tasks/{name}/notify-test: one delivery of the `test` event per receiver, in the task's order. */
export interface NotifyTestView {
  readonly task: string;
  readonly event: 'test';
  readonly results: readonly {
    /** Redacted like the task view's receivers. */
    readonly receiver: string;
    readonly ok: boolean;
    readonly attempts: number;
    readonly durationMs: number;
    readonly httpStatus?: number;
    readonly error?: { readonly code: string; readonly message: string };
  }[];
}
