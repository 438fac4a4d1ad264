import type { Control } from '../control.js';
import { validateChainLength } from '../../core/chain-decision.js';
import { VirtpointError } from '../../core/errors.js';
import { isValidId, validatePointName } from '../../core/names.js';
import type { Catalog, Point } from '../../ports/catalog.js';
import type { Hypervisor } from '../../ports/hypervisor.js';
import type { BackupService } from '../backup/backup.js';
import { selectDisks } from '../backup/plan.js';
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
  StatusView,
  TaskCreateInput,
  TaskUpdateInput,
  UsageView,
} from '../../contract/index.js';
import type { DeleteService } from './delete.js';
import type { JobRunner } from '../jobs/runner.js';
import { chainView, domainView, jobView, pointView } from './views.js';
import { SchedulingControl } from '../scheduling/api.js';
import { RestoreControl, type RestoreServices } from '../restore/api.js';
import type { ImageCreateInput, RollbackInput, VolumeCreateInput } from '../../contract/index.js';
import { SchedulingService, type SchedulingDeps } from '../scheduling/policies-tasks.js';

/** The Control interface on the real services: validates, queues jobs, maps records to views. */

export interface ControlDeps {
  readonly hypervisor: Hypervisor;
  readonly catalog: Catalog;
  readonly runner: JobRunner;
  readonly backup: BackupService;
  readonly del: DeleteService;
  readonly storeRoot: string;
  readonly version: string;
  readonly startedAt: number;
  readonly libvirtConnected: () => boolean;
  /** Policies and tasks: limits, the task runner (default: UNSUPPORTED), time zone (default: the host's). */
  readonly scheduling?: Pick<SchedulingDeps, 'limits' | 'runTask'> & { readonly timeZone?: string };
  /** Rollback, volumes, images (restore-control.ts); without them those calls are UNSUPPORTED. */
  readonly restore?: RestoreServices;
}

export class VirtpointControl implements Control {
  private readonly sched: SchedulingControl;
  private readonly restoreCtl: RestoreControl;

  constructor(private readonly deps: ControlDeps) {
    const { limits, runTask, timeZone } = deps.scheduling ?? {};
    const service = new SchedulingService({
      catalog: deps.catalog,
      hypervisor: deps.hypervisor,
      ...(limits === undefined ? {} : { limits }),
      ...(runTask === undefined ? {} : { runTask }),
    });
    this.sched = new SchedulingControl(service, timeZone === undefined ? {} : { timeZone });
    this.restoreCtl = new RestoreControl(deps, deps.restore);
  }

  async status(): Promise<StatusView> {
    return {
      version: this.deps.version,
      libvirtConnected: this.deps.libvirtConnected(),
      queue: this.deps.runner.counts(),
      storeRoot: this.deps.storeRoot,
      startedAt: new Date(this.deps.startedAt).toISOString(),
    };
  }

  async listDomains(): Promise<DomainView[]> {
    const domains = await this.deps.hypervisor.listDomains();
    return domains.sort((a, b) => a.name.localeCompare(b.name)).map((d) => this.toDomainView(d));
  }

  async getDomain(ref: string): Promise<DomainView> {
    return this.toDomainView(await this.deps.hypervisor.lookupDomain(ref));
  }

  async startBackup(input: BackupInput): Promise<JobView> {
    const { hypervisor, catalog, runner, backup } = this.deps;
    if (input.chainLength !== undefined) validateChainLength(input.chainLength);
    if (input.name !== undefined) validatePointName(input.name);
    const domain = await hypervisor.lookupDomain(input.domain);
    selectDisks(domain, input.disks);
    catalog.upsertDomain({ uuid: domain.uuid, name: domain.name });
    if (input.name !== undefined && catalog.getPointByName(domain.uuid, input.name) !== null) {
      throw new VirtpointError(
        'ALREADY_EXISTS',
        `domain ${domain.name} already has a point named ${input.name}`,
      );
    }
    const job = runner.submit({ type: 'backup', trigger: 'manual', domainUuid: domain.uuid }, async (ctx) => {
      const retried: string[] = [];
      const point = await backup.backup(
        { ...input, domain: domain.uuid, trigger: 'manual' },
        {
          onPoint: ctx.setPoint,
          onProgress: ctx.progress,
          signal: ctx.signal,
          onRetry: (r) => retried.push(r),
        },
      );
      return {
        pointId: point.id,
        kind: point.kind,
        newChainReason: point.newChainReason,
        ...(retried.length > 0 ? { retried } : {}),
      };
    });
    return jobView(job);
  }

  async listPoints(filter: PointFilterInput): Promise<PointView[]> {
    const domainUuid = filter.domain === undefined ? undefined : this.domainUuid(filter.domain);
    if (domainUuid === null) return [];
    const points = this.deps.catalog.listPoints({
      ...(domainUuid ? { domainUuid } : {}),
      ...(filter.chain ? { chainId: filter.chain } : {}),
      ...(filter.state ? { state: filter.state } : {}),
      ...(filter.after ? { after: filter.after } : {}),
      ...(filter.limit !== undefined ? { limit: filter.limit } : {}),
    });
    // Domain names looked up once per list, not once per point.
    const names = new Map(this.deps.catalog.listDomains().map((d) => [d.uuid, d.name]));
    return points.map((p) => pointView(p, names.get(p.domainUuid) ?? p.domainUuid, this.deps.storeRoot));
  }

  async getPoint(id: string): Promise<PointView> {
    return this.toPointView(this.requirePoint(id));
  }

  async deletePoint(id: string, opts: { cascade: boolean }): Promise<JobView> {
    const point = this.requirePoint(id);
    this.deps.del.check(id, opts.cascade);
    const job = this.deps.runner.submit(
      { type: 'delete', trigger: 'manual', domainUuid: point.domainUuid, pointId: point.id },
      (ctx) => (ctx.signal.aborted ? Promise.reject(ctx.signal.reason) : this.deps.del.deletePoint(id, opts)),
    );
    return jobView(job);
  }

  async listChains(filter: { domain?: string }): Promise<ChainView[]> {
    const domainUuid = filter.domain === undefined ? undefined : this.domainUuid(filter.domain);
    if (domainUuid === null) return [];
    return this.deps.catalog
      .listChains(domainUuid ? { domainUuid } : {})
      .map((c) =>
        chainView(c, this.domainName(c.domainUuid), this.deps.catalog.listPoints({ chainId: c.id })),
      );
  }

  async getChain(id: string): Promise<ChainView> {
    const c = isValidId(id) ? this.deps.catalog.getChain(id) : null;
    if (c === null) throw new VirtpointError('CHAIN_NOT_FOUND', `no chain ${id}`);
    return chainView(c, this.domainName(c.domainUuid), this.deps.catalog.listPoints({ chainId: c.id }));
  }

  async deleteChain(id: string): Promise<JobView> {
    const chain = await this.getChain(id);
    const job = this.deps.runner.submit({ type: 'delete', trigger: 'manual', domainUuid: chain.domain }, () =>
      this.deps.del.deleteChain(id),
    );
    return jobView(job);
  }

  async listJobs(filter: JobFilterInput): Promise<JobView[]> {
    const domainUuid = filter.domain === undefined ? undefined : this.domainUuid(filter.domain);
    if (domainUuid === null) return [];
    return this.deps.catalog.jobs
      .list({
        ...(filter.type ? { type: filter.type } : {}),
        ...(filter.state ? { state: filter.state } : {}),
        ...(filter.trigger ? { trigger: filter.trigger } : {}),
        ...(domainUuid ? { domainUuid } : {}),
        ...(filter.since !== undefined ? { since: filter.since } : {}),
        ...(filter.until !== undefined ? { until: filter.until } : {}),
        limit: filter.limit ?? 1000,
        newestFirst: true,
      })
      .map(jobView);
  }

  async getJob(id: string): Promise<JobView> {
    const j = isValidId(id) ? this.deps.catalog.jobs.get(id) : null;
    if (j === null) throw new VirtpointError('JOB_NOT_FOUND', `no job ${id}`);
    return jobView(j);
  }

  async cancelJob(id: string): Promise<JobView> {
    await this.getJob(id);
    return jobView(this.deps.runner.cancel(id));
  }

  async deleteJob(id: string): Promise<void> {
    await this.getJob(id);
    this.deps.catalog.jobs.delete(id);
  }

  async deleteFailedJobs(): Promise<number> {
    return this.deps.catalog.jobs.deleteFinished('failed');
  }

  watchJob(id: string, listener: (job: JobView) => void): () => void {
    return this.deps.runner.onJob((j) => {
      if (j.id === id) listener(jobView(j));
    });
  }

  async usage(filter: { domain?: string }): Promise<UsageView[]> {
    const domainUuid = filter.domain === undefined ? undefined : this.domainUuid(filter.domain);
    if (domainUuid === null) return [];
    const all = domainUuid ? [this.deps.catalog.domainUsage(domainUuid)] : this.deps.catalog.usage();
    return all.map((u) => ({ domain: u.domainUuid, domainName: this.domainName(u.domainUuid), ...pick(u) }));
  }

  // ---- policies and tasks (scheduling-control.ts) ----

  listPolicies = () => this.sched.listPolicies();
  getPolicy = (name: string) => this.sched.getPolicy(name);
  createPolicy = (input: PolicyCreateInput) => this.sched.createPolicy(input);
  updatePolicy = (name: string, patch: PolicyUpdateInput) => this.sched.updatePolicy(name, patch);
  setPolicyEnabled = (name: string, enabled: boolean) => this.sched.setPolicyEnabled(name, enabled);
  deletePolicy = (name: string) => this.sched.deletePolicy(name);
  runPolicy = (name: string) => this.sched.runPolicy(name);
  listTasks = (filter: { policy?: string }) => this.sched.listTasks(filter);
  getTask = (name: string) => this.sched.getTask(name);
  createTask = (input: TaskCreateInput) => this.sched.createTask(input);
  updateTask = (name: string, patch: TaskUpdateInput) => this.sched.updateTask(name, patch);
  setTaskEnabled = (name: string, enabled: boolean) => this.sched.setTaskEnabled(name, enabled);
  deleteTask = (name: string) => this.sched.deleteTask(name);
  runTask = (name: string) => this.sched.runTask(name);
  taskHistory = (name: string, filter: { limit?: number }) => this.sched.taskHistory(name, filter);

  // ---- rollback, volumes, images (restore-control.ts) ----

  startRollback = (input: RollbackInput) => this.restoreCtl.startRollback(input);
  createVolume = (input: VolumeCreateInput) => this.restoreCtl.createVolume(input);
  listVolumes = () => this.restoreCtl.listVolumes();
  getVolume = (id: string) => this.restoreCtl.getVolume(id);
  deleteVolume = (id: string) => this.restoreCtl.deleteVolume(id);
  createImage = (input: ImageCreateInput) => this.restoreCtl.createImage(input);
  listImages = () => this.restoreCtl.listImages();
  getImage = (name: string) => this.restoreCtl.getImage(name);
  deleteImage = (name: string) => this.restoreCtl.deleteImage(name);

  /** UUID of a domain known to the catalog by name or UUID; null when unknown. */
  private domainUuid(ref: string): string | null {
    const lower = ref.toLowerCase();
    const d = this.deps.catalog.listDomains().find((x) => x.uuid === lower || x.name === ref);
    return d?.uuid ?? null;
  }

  private domainName(uuid: string): string {
    return this.deps.catalog.getDomain(uuid)?.name ?? uuid;
  }

  private requirePoint(id: string): Point {
    const p = isValidId(id) ? this.deps.catalog.getPoint(id) : null;
    if (p === null) throw new VirtpointError('POINT_NOT_FOUND', `no point ${id}`);
    return p;
  }

  private toPointView(p: Point): PointView {
    return pointView(p, this.domainName(p.domainUuid), this.deps.storeRoot);
  }

  private toDomainView(d: Parameters<typeof domainView>[0]): DomainView {
    const { catalog } = this.deps;
    const known = catalog.getDomain(d.uuid) !== null;
    const usage = known ? catalog.domainUsage(d.uuid) : { chains: 0, points: 0, bytes: 0 };
    const last = known ? (catalog.listPoints({ domainUuid: d.uuid }).at(-1) ?? null) : null;
    return domainView(d, usage, last);
  }
}

function pick(u: { chains: number; points: number; bytes: number }) {
  return { chains: u.chains, points: u.points, bytes: u.bytes };
}
