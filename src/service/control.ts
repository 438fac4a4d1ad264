import type {
  BackupInput,
  ChainView,
  DomainView,
  JobFilterInput,
  JobView,
  PointFilterInput,
  PointView,
  PolicyCreateInput,
  PolicyUpdateInput,
  PolicyView,
  StatusView,
  TaskCreateInput,
  TaskRunView,
  TaskUpdateInput,
  TaskView,
  UsageView,
} from '../contract/index.js';
import type { RestoreApi } from './restore/api-types.js';
import type { RecoveryApi } from './recovery/api.js';

/** Rollback, volumes and images: control-restore.ts. */
export interface Control extends RestoreApi {
  /** Catalog rebuild and doctor (service/recovery/); absent: those routes answer UNSUPPORTED. */
  readonly recovery?: RecoveryApi;
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
