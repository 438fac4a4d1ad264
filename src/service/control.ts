/**
 * The Control interface: everything the HTTP API offers, in service terms, with the JSON shapes
 * the API returns (they are a contract: the CLI's `--json` prints them as they are). Implemented
 * by `VirtpointControl` (service/virtpoint-control.ts); the API's unit tests use a fake.
 *
 * Times are ISO 8601 strings (UTC); sizes are bytes. Errors are VirtpointError with a code.
 */

import type {
  Consistency,
  JobState,
  JobType,
  NewChainReason,
  PointKind,
  PointState,
  Trigger,
} from '../ports/catalog.js';
import type { Quiesce } from './backup-capture.js';
import type { RestoreApi } from './control-restore.js';

export type {
  ImageCreateInput,
  ImageView,
  RestoreApi,
  RollbackInput,
  VolumeCreateInput,
  VolumeView,
} from './control-restore.js';

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
}

export interface PointView {
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
}

export interface ChainView {
  readonly id: string;
  readonly domain: string;
  readonly domainName: string;
  readonly disks: readonly string[];
  readonly maxLength: number;
  readonly state: 'open' | 'sealed';
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
  readonly domain: string | null;
  readonly pointId: string | null;
  readonly progress: { readonly done: number; readonly total: number | null };
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
}

export interface StatusView {
  readonly version: string;
  readonly libvirtConnected: boolean;
  readonly queue: { readonly queued: number; readonly running: number };
  readonly storeRoot: string;
  readonly startedAt: string;
}

export interface BackupInput {
  /** Name or UUID. */
  readonly domain: string;
  readonly disks?: readonly string[];
  readonly full?: boolean;
  readonly name?: string;
  readonly quiesce?: Quiesce;
  readonly chainLength?: number;
}

export interface PointFilterInput {
  /** Name or UUID. */
  readonly domain?: string;
  readonly chain?: string;
  readonly state?: PointState;
  /** Paging: the points after this point id, in list order (oldest first). */
  readonly after?: string;
  /** Paging: at most this many points. */
  readonly limit?: number;
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

/** Rollback, volumes and images: control-restore.ts. */
export interface Control extends RestoreApi {
  status(): Promise<StatusView>;
  listDomains(): Promise<DomainView[]>;
  getDomain(ref: string): Promise<DomainView>;

  /** Validates (domain, disks, name, numbers) and queues a backup job; bad input throws, nothing is queued. */
  startBackup(input: BackupInput): Promise<JobView>;

  listPoints(filter: PointFilterInput): Promise<PointView[]>;
  getPoint(id: string): Promise<PointView>;
  /** Queues a delete job (`cascade`: this point and every later one of its chain). */
  deletePoint(id: string, opts: { cascade: boolean }): Promise<JobView>;

  listChains(filter: { domain?: string }): Promise<ChainView[]>;
  getChain(id: string): Promise<ChainView>;
  /** Queues a delete job for the whole chain. */
  deleteChain(id: string): Promise<JobView>;

  listJobs(filter: JobFilterInput): Promise<JobView[]>;
  getJob(id: string): Promise<JobView>;
  /** Queued: canceled at once; running: aborted (the job ends `canceled`). Final jobs: INVALID_STATE. */
  cancelJob(id: string): Promise<JobView>;
  /** Removes a finished job's record; a queued or running job: INVALID_STATE. */
  deleteJob(id: string): Promise<void>;
  /** Removes every failed job's record; returns how many. */
  deleteFailedJobs(): Promise<number>;
  /** Calls `listener` on every change of the job (progress, state) until it ends; returns the unsubscribe function. */
  watchJob(id: string, listener: (job: JobView) => void): () => void;

  usage(filter: { domain?: string }): Promise<UsageView[]>;

  // policies and tasks (docs/scheduling.md)
  listPolicies(): Promise<PolicyView[]>;
  getPolicy(name: string): Promise<PolicyView>;
  createPolicy(input: PolicyCreateInput): Promise<PolicyView>;
  updatePolicy(name: string, patch: PolicyUpdateInput): Promise<PolicyView>;
  setPolicyEnabled(name: string, enabled: boolean): Promise<PolicyView>;
  /** INVALID_STATE naming the tasks when a task uses it. */
  deletePolicy(name: string): Promise<void>;
  /** Runs every enabled task of the policy now; UNSUPPORTED until the scheduler is wired. */
  runPolicy(name: string): Promise<TaskRunView[]>;
  listTasks(filter: { policy?: string }): Promise<TaskView[]>;
  getTask(name: string): Promise<TaskView>;
  createTask(input: TaskCreateInput): Promise<TaskView>;
  /** Anything but the bound policies. */
  updateTask(name: string, patch: TaskUpdateInput): Promise<TaskView>;
  setTaskEnabled(name: string, enabled: boolean): Promise<TaskView>;
  /** Keeps the task's points. */
  deleteTask(name: string): Promise<void>;
  /** Runs the task now; UNSUPPORTED until the scheduler is wired. */
  runTask(name: string): Promise<TaskRunView>;
  /** Newest first, at most 100 kept per task. */
  taskHistory(name: string, filter: { limit?: number }): Promise<TaskRunView[]>;
}

// ---- policies and tasks ----

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
}

export type TaskRunTrigger = 'schedule' | 'manual' | 'catch-up';
export type TaskRunOutcome = 'running' | 'succeeded' | 'partial' | 'failed' | 'skipped' | 'missed';

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
  readonly runCount: number;
  readonly lastRun: {
    readonly id: string;
    readonly trigger: TaskRunTrigger;
    readonly startedAt: string;
    readonly endedAt: string | null;
    readonly outcome: TaskRunOutcome;
  } | null;
  readonly createdAt: string;
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
  readonly error?: CodedErrorView;
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
  /** Policy names, 1–8. */
  readonly policies: readonly string[];
  /** 1–30, default 30. */
  readonly chainLength?: number;
  /** Default `forever`. */
  readonly retention?: string;
  readonly receivers?: readonly string[];
  /** Default true. */
  readonly enabled?: boolean;
}

/** `domains`/`disks` given together replace the resources. */
export type TaskUpdateInput = Partial<Omit<TaskCreateInput, 'policies'>>;
