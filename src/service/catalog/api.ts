import { VirtpointError } from '../../core/errors.js';
import { iso } from '../../core/iso.js';
import { isValidId } from '../../core/names.js';
import type { Catalog, Point } from '../../ports/catalog.js';
import type { Hypervisor } from '../../ports/hypervisor.js';
import type {
  ChainView,
  DomainView,
  JobDeleteInput,
  JobFilterInput,
  JobView,
  PointFilterInput,
  PointView,
  StatusView,
  StoreStatusView,
  UsageView,
} from '../../contract/index.js';
import type { DeleteService } from './delete.js';
import type { SpaceView } from './space.js';
import type { JobRunner } from '../jobs/runner.js';
import { resolvePointRef } from './point-ref.js';
import {
  chainView,
  copiesByPoint,
  domainView,
  isOrphaned,
  jobView,
  ownerFields,
  pointView,
} from './views.js';

/**
 * The catalog feature's API (docs/api.md "Status", "Domains", "Points", "Chains", "Jobs",
 * "Usage"): reads the catalog and libvirt, maps records to views, queues delete jobs.
 */
export interface CatalogApi {
  status(): Promise<StatusView>;
  listDomains(): Promise<DomainView[]>;
  getDomain(ref: string): Promise<DomainView>;

  listPoints(filter: PointFilterInput): Promise<PointView[]>;
  /** A point by id or name (`domain`: name or UUID, scopes a name; point-ref.ts). */
  getPoint(ref: string, opts?: { domain?: string }): Promise<PointView>;
  /** Queues a delete job (`cascade`: this point and every later one of its chain). */
  deletePoint(id: string, opts: { cascade: boolean }): Promise<JobView>;

  /**
   * Queues one delete job per domain holding error points (all domains, or `domain`): its
   * error points and failed chains go (DeleteService.deleteErrors). Returns the jobs and the ids
   * of the error points found.
   */
  deleteErrorPoints(filter: { domain?: string }): Promise<{ points: string[]; jobs: JobView[] }>;

  listChains(filter: { domain?: string }): Promise<ChainView[]>;
  getChain(id: string): Promise<ChainView>;
  /** Queues a delete job for the whole chain; POINT_BUSY / POINT_PROTECTED up front (nothing queued). */
  deleteChain(id: string): Promise<JobView>;

  listJobs(filter: JobFilterInput): Promise<JobView[]>;
  getJob(id: string): Promise<JobView>;
  /** Queued: canceled at once; running: aborted (the job ends `canceled`). Final jobs: INVALID_STATE. */
  cancelJob(id: string): Promise<JobView>;
  /** Removes a finished job's record; a queued or running job: INVALID_STATE. */
  deleteJob(id: string): Promise<void>;
  /** Removes the records of the finished jobs the filter names (never a queued/running one); returns how many. */
  deleteJobs(filter: JobDeleteInput): Promise<number>;
  /** Calls `listener` on every change of the job (progress, state) until it ends; returns the unsubscribe function. */
  watchJob(id: string, listener: (job: JobView) => void): () => void;

  usage(filter: { domain?: string }): Promise<UsageView[]>;
}

export interface CatalogApiDeps {
  readonly hypervisor: Hypervisor;
  readonly catalog: Catalog;
  readonly runner: JobRunner;
  readonly del: DeleteService;
  readonly storeRoot: string;
  readonly version: string;
  readonly startedAt: number;
  readonly libvirtConnected: () => boolean;
  /** What the last store scan found that the catalog does not know (service/recovery). */
  readonly storeStatus: () => StoreStatusView;
  /** Free space of the store and the catalog's size (service/catalog/space.ts). */
  readonly space?: () => Promise<SpaceView>;
}

export class CatalogApiImpl implements CatalogApi {
  constructor(private readonly deps: CatalogApiDeps) {}

  async status(): Promise<StatusView> {
    return {
      version: this.deps.version,
      libvirtConnected: this.deps.libvirtConnected(),
      queue: this.deps.runner.counts(),
      storeRoot: this.deps.storeRoot,
      startedAt: iso(this.deps.startedAt),
      store: this.deps.storeStatus(),
      ...(this.deps.space ? { space: await this.deps.space() } : {}),
    };
  }

  async listDomains(): Promise<DomainView[]> {
    const domains = await this.deps.hypervisor.listDomains();
    return domains.sort((a, b) => a.name.localeCompare(b.name)).map((d) => this.toDomainView(d));
  }

  async getDomain(ref: string): Promise<DomainView> {
    return this.toDomainView(await this.deps.hypervisor.lookupDomain(ref));
  }

  async listPoints(filter: PointFilterInput): Promise<PointView[]> {
    const domainUuid = filter.domain === undefined ? undefined : this.domainUuid(filter.domain);
    if (domainUuid === null) return [];
    const taskName = this.taskNames();
    const chains = new Map(this.deps.catalog.listChains().map((c) => [c.id, c]));
    const orphaned = filter.orphaned === true;
    const paging = {
      ...(filter.after ? { after: filter.after } : {}),
      ...(filter.limit !== undefined ? { limit: filter.limit } : {}),
    };
    let points = this.deps.catalog.listPoints({
      ...(domainUuid ? { domainUuid } : {}),
      ...(filter.chain ? { chainId: filter.chain } : {}),
      ...(filter.state ? { state: filter.state } : {}),
      ...(filter.since !== undefined ? { since: filter.since } : {}),
      ...(filter.until !== undefined ? { until: filter.until } : {}),
      ...(filter.name !== undefined ? { nameContains: filter.name } : {}),
      ...(orphaned ? {} : paging),
    });
    if (orphaned) {
      // Paged after the filter (the catalog does not know tasks); the list order is kept.
      points = points.filter((p) => isOrphaned(chains.get(p.chainId) ?? null, taskName));
      const from = filter.after === undefined ? 0 : points.findIndex((p) => p.id === filter.after) + 1;
      points = points.slice(from, filter.limit === undefined ? undefined : from + filter.limit);
    }
    // Domain names looked up once per list, not once per point.
    const names = new Map(this.deps.catalog.listDomains().map((d) => [d.uuid, d.name]));
    const copies = copiesByPoint(this.deps.catalog, points);
    return points.map((p) =>
      pointView(
        p,
        names.get(p.domainUuid) ?? p.domainUuid,
        this.deps.storeRoot,
        ownerFields(chains.get(p.chainId) ?? null, taskName),
        copies.get(p.id),
      ),
    );
  }

  async getPoint(ref: string, opts: { domain?: string } = {}): Promise<PointView> {
    if (opts.domain === undefined) return this.toPointView(this.requirePoint(ref));
    const uuid = this.domainUuid(opts.domain);
    if (uuid === null) throw new VirtpointError('DOMAIN_NOT_FOUND', `no domain ${opts.domain} has points`);
    return this.toPointView(resolvePointRef(this.deps.catalog, ref, uuid));
  }

  async deletePoint(ref: string, opts: { cascade: boolean }): Promise<JobView> {
    const point = this.requirePoint(ref);
    const id = point.id;
    this.deps.del.check(id, opts.cascade);
    const job = this.deps.runner.submit(
      { type: 'delete', trigger: 'manual', domainUuid: point.domainUuid, pointId: point.id },
      (ctx) => (ctx.signal.aborted ? Promise.reject(ctx.signal.reason) : this.deps.del.deletePoint(id, opts)),
    );
    return jobView(job);
  }

  async deleteErrorPoints(filter: { domain?: string }): Promise<{ points: string[]; jobs: JobView[] }> {
    const domainUuid = filter.domain === undefined ? undefined : this.domainUuid(filter.domain);
    if (domainUuid === null) return { points: [], jobs: [] };
    const errors = this.deps.catalog.listPoints({ state: 'error', ...(domainUuid ? { domainUuid } : {}) });
    const domains = [...new Set(errors.map((p) => p.domainUuid))];
    const jobs = domains.map((uuid) =>
      this.deps.runner.submit({ type: 'delete', trigger: 'manual', domainUuid: uuid }, (ctx) =>
        ctx.signal.aborted ? Promise.reject(ctx.signal.reason) : this.deps.del.deleteErrors(uuid),
      ),
    );
    return { points: errors.map((p) => p.id), jobs: jobs.map(jobView) };
  }

  async listChains(filter: { domain?: string }): Promise<ChainView[]> {
    const domainUuid = filter.domain === undefined ? undefined : this.domainUuid(filter.domain);
    if (domainUuid === null) return [];
    const taskName = this.taskNames();
    return this.deps.catalog
      .listChains(domainUuid ? { domainUuid } : {})
      .map((c) =>
        chainView(
          c,
          this.domainName(c.domainUuid),
          this.deps.catalog.listPoints({ chainId: c.id }),
          ownerFields(c, taskName),
        ),
      );
  }

  async getChain(id: string): Promise<ChainView> {
    const c = isValidId(id) ? this.deps.catalog.getChain(id) : null;
    if (c === null) throw new VirtpointError('CHAIN_NOT_FOUND', `no chain ${id}`);
    return chainView(
      c,
      this.domainName(c.domainUuid),
      this.deps.catalog.listPoints({ chainId: c.id }),
      ownerFields(c, this.taskNames()),
    );
  }

  async deleteChain(id: string): Promise<JobView> {
    const chain = await this.getChain(id);
    this.deps.del.checkChain(id);
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

  async deleteJobs(filter: JobDeleteInput): Promise<number> {
    return this.deps.catalog.jobs.deleteFinished({
      ...(filter.state === undefined ? {} : { state: filter.state }),
      ...(filter.before === undefined ? {} : { endedBefore: filter.before }),
    });
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
    const made = this.artifactsPerDomain();
    return all.map((u) => ({
      domain: u.domainUuid,
      domainName: this.domainName(u.domainUuid),
      ...pick(u),
      volumes: made.get(u.domainUuid)?.volumes ?? 0,
      images: made.get(u.domainUuid)?.images ?? 0,
    }));
  }

  /** Volumes and images per domain of the point they were made from (a deleted point's: not counted). */
  private artifactsPerDomain(): Map<string, { volumes: number; images: number }> {
    const out = new Map<string, { volumes: number; images: number }>();
    const count = (pointId: string, kind: 'volumes' | 'images') => {
      const uuid = this.deps.catalog.getPoint(pointId)?.domainUuid;
      if (uuid === undefined) return;
      const c = out.get(uuid) ?? { volumes: 0, images: 0 };
      c[kind]++;
      out.set(uuid, c);
    };
    for (const v of this.deps.catalog.artifacts.listVolumes()) count(v.pointId, 'volumes');
    for (const i of this.deps.catalog.artifacts.listImages()) count(i.pointId, 'images');
    return out;
  }

  /** UUID of a domain known to the catalog by name or UUID; null when unknown. */
  private domainUuid(ref: string): string | null {
    const lower = ref.toLowerCase();
    const d = this.deps.catalog.listDomains().find((x) => x.uuid === lower || x.name === ref);
    return d?.uuid ?? null;
  }

  private domainName(uuid: string): string {
    return this.deps.catalog.getDomain(uuid)?.name ?? uuid;
  }

  /** By id, or by a name unique across domains. */
  private requirePoint(ref: string): Point {
    return resolvePointRef(this.deps.catalog, ref);
  }

  private toPointView(p: Point): PointView {
    const owner = ownerFields(this.deps.catalog.getChain(p.chainId), this.taskNames());
    const copies = this.deps.catalog.copies.listCopies({ pointId: p.id });
    return pointView(p, this.domainName(p.domainUuid), this.deps.storeRoot, owner, copies);
  }

  /** The current name of a task by id (null: deleted), from one read of the tasks. */
  private taskNames(): (taskId: string) => string | null {
    const names = new Map(this.deps.catalog.scheduling.listTasks().map((t) => [t.id, t.name]));
    return (id) => names.get(id) ?? null;
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
