/**
 * The RunNotifier port: after each execution of a task, its notification receivers are told the
 * outcome (issue 7, docs/notifications.md). Not to be confused with the systemd `Notifier` in
 * src/daemon/systemd-notify.ts.
 *
 * Contract: `send` never rejects. A delivery that fails (after its retries) is a result with
 * `ok: false` and a coded error; the caller logs and records it. Sending never blocks a backup:
 * callers start it after the execution has ended and do not wait for it before the next run.
 * `send` may be called concurrently, for the same or different receivers.
 */
import type { Receiver } from '../core/policy-task.js';
import type { CodedError } from '../core/errors.js';
import type { Consistency, PointKind } from '../core/point-state.js';

/** Where a notification goes. Text forms (task config, CLI `--notify`): core/policy-task.ts parseReceiver. */
export type { Receiver };

export type RunTrigger = 'schedule' | 'manual' | 'catch-up';
export type RunOutcome =
  'succeeded' | 'succeeded-with-warnings' | 'partial' | 'failed' | 'skipped' | 'missed';
export type ResourceOutcome = 'succeeded' | 'failed' | 'skipped';

export interface NotificationResource {
  /** Domain UUID. */
  readonly domain: string;
  readonly domainName: string;
  /** Disk targets (vda, vdb…) when the task names chosen disks; absent means all disks. */
  readonly disks?: readonly string[];
  readonly outcome: ResourceOutcome;
  /** The point made, when one was. */
  readonly pointId?: string;
  readonly pointName?: string;
  readonly kind?: PointKind;
  /** The point's consistency (`filesystem`, `crash`, `offline`), when one was made. */
  readonly consistency?: Consistency;
  /**
   * What went wrong although the resource succeeded (a point that fell back to crash
   * consistency); absent when nothing did. Any warning makes a run `succeeded-with-warnings`.
   */
  readonly warnings?: readonly string[];
  readonly error?: CodedError;
  /**
   * The task's `--verify-after` check of the new point: `ok`, `failed` (the point is corrupt and
   * the resource failed) or `skipped` (the verify gave way to another job of the domain, or could
   * not run: a warning). Absent when the task does not verify after its backups.
   */
  readonly verify?: { readonly state: 'ok' | 'failed' | 'skipped'; readonly summary: string };
  /**
   * The task's `--copy-to`: a copy job queued per target for the new point (`queued`, its job),
   * or `failed` when it could not even be queued. The copy runs after the run has ended; its
   * outcome is the point's `copies`. Absent when the task copies nowhere.
   */
  readonly copies?: readonly QueuedCopy[];
}

/** A copy of a task's new point to one target, as its run records it. */
export interface QueuedCopy {
  /** The target's name. */
  readonly target: string;
  readonly state: 'queued' | 'failed';
  readonly jobId?: string;
  readonly error?: CodedError;
}

/** The payload, version 1. Adding optional fields keeps version 1; anything else bumps it. */
export interface RunNotification {
  readonly version: 1;
  readonly event: 'task-run';
  /** Host name of the KVM host. */
  readonly host: string;
  readonly task: { readonly name: string };
  readonly run: {
    readonly id: string;
    readonly trigger: RunTrigger;
    /** ISO 8601 with offset. For skipped and missed runs: the time the run was due. */
    readonly startedAt: string;
    /** ISO 8601 with offset. For skipped and missed runs: equal to startedAt. */
    readonly endedAt: string;
    readonly outcome: RunOutcome;
  };
  readonly resources: readonly NotificationResource[];
}

/** The point a `verify` or `copy` event is about. */
export interface NotificationPoint {
  readonly id: string;
  readonly name: string;
  /** Domain UUID. */
  readonly domain: string;
  readonly domainName: string;
  readonly chain: string;
}

/** What started the verify that failed. */
export type VerifyTrigger = 'manual' | 'schedule' | 'after-backup' | 'before-restore';

/**
 * A verify found a point of the task's chains broken (event `verify`, payload version 1): sent
 * to the receivers of the task that owns the chain, whatever started the verify.
 */
export interface VerifyNotification {
  readonly version: 1;
  readonly event: 'verify';
  readonly host: string;
  readonly task: { readonly name: string };
  readonly verify: {
    readonly trigger: VerifyTrigger;
    /** ISO 8601 with offset. */
    readonly at: string;
    readonly deep: boolean;
    /** Which file failed and how (`vda.2.qcow2: checksum-mismatch …`). */
    readonly summary: string;
  };
  readonly point: NotificationPoint;
  /** Points now marked corrupt (the failed one and the later points of its chain). */
  readonly corrupt: readonly string[];
}

/**
 * A task's copy of a point to a target failed its last retry (event `copy`, payload version 1):
 * sent to the receivers of the task that owns the point's chain (service/copies/auto-copy.ts).
 */
export interface CopyNotification {
  readonly version: 1;
  readonly event: 'copy';
  readonly host: string;
  readonly task: { readonly name: string };
  readonly copy: {
    readonly target: string;
    readonly state: 'failed';
    /** Copy jobs that failed, the last one included. */
    readonly attempts: number;
    /** ISO 8601 with offset. */
    readonly at: string;
    readonly error: CodedError;
  };
  readonly point: NotificationPoint;
}

/**
 * `virtpoint task notify-test NAME` (event `test`, payload version 1): shows that the task's
 * receivers are reached; carries no outcome.
 */
export interface TestNotification {
  readonly version: 1;
  readonly event: 'test';
  readonly host: string;
  readonly task: { readonly name: string };
  /** ISO 8601 with offset. */
  readonly at: string;
  readonly message: string;
}

export type Notification = RunNotification | VerifyNotification | CopyNotification | TestNotification;

export interface DeliveryResult {
  /** The receiver in text form, credentials, query values and fragment replaced by `***` (safe to log: core/redact.ts). */
  readonly receiver: string;
  readonly ok: boolean;
  /** Tries made: 1 when the first one settled it; up to 4 for webhooks (3 retries). */
  readonly attempts: number;
  /** Set when ok is false. */
  readonly error?: CodedError;
  /** HTTP status of the last webhook response, when there was one. */
  readonly httpStatus?: number;
  /** From the first try to the last answer, backoff included. */
  readonly durationMs: number;
}

export interface RunNotifier {
  send(receiver: Receiver, payload: Notification): Promise<DeliveryResult>;
}
