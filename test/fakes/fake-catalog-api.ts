import { VirtpointError } from '../../src/core/errors.js';
import { isJobFinal } from '../../src/core/job-state.js';
import type {
  ChainView,
  DomainView,
  JobFilterInput,
  JobDeleteInput,
  JobView,
  PointFilterInput,
  PointView,
  StatusView,
  UsageView,
} from '../../src/contract/index.js';
import type { CatalogApi } from '../../src/service/catalog/api.js';

/**
 * The catalog API in memory for the API's unit tests: two domains, three points on one chain, a
 * few jobs. `enter` records the call (and throws an injected failure: fake-apis.ts);
 * `pushJob(id, patch)` changes a job and notifies its watchers; `queueJob` stores a new queued
 * job (the other fakes queue theirs here, so their events can be streamed).
 */

export const DOM1 = '11111111-2222-3333-4444-555555555555';
export const DOM2 = '66666666-7777-8888-9999-000000000000';
export const CHAIN1 = 'c0c0c0c0c0c0';
export const POINT0 = 'a00000000000';
export const POINT1 = 'a00000000001';
export const POINT2 = 'a00000000002';
export const JOB_DONE = 'b00000000001';
export const JOB_FAILED = 'b00000000002';
export const JOB_RUNNING = 'b00000000003';

const T0 = '2025-01-01T00:00:00.000Z';

function domain(uuid: string, name: string, points: number): DomainView {
  return {
    uuid,
    name,
    state: 'running',
    hasAgentChannel: true,
    disks: [
      {
        target: 'vda',
        path: `/var/lib/libvirt/images/${name}.qcow2`,
        format: 'qcow2',
        bus: 'virtio',
        device: 'disk',
      },
    ],
    chains: points > 0 ? 1 : 0,
    points,
    bytes: points * 1000,
    lastPoint: points > 0 ? { id: POINT2, name: 'p2', createdAt: T0, state: 'available' } : null,
  };
}

function point(id: string, seq: number): PointView {
  return {
    id,
    name: `p${seq}`,
    domain: DOM1,
    domainName: 'web',
    chainId: CHAIN1,
    seq,
    kind: seq === 0 ? 'full' : 'incremental',
    state: 'available',
    consistency: 'filesystem',
    consistencyReason: null,
    freezeMs: 12,
    newChainReason: seq === 0 ? 'no-chain' : null,
    trigger: 'manual',
    owner: 'manual',
    ownerTaskId: null,
    createdAt: T0,
    error: null,
    disks: [
      {
        target: 'vda',
        path: `/var/lib/virtpoint/store/${DOM1}/${CHAIN1}/vda.${seq}.qcow2`,
        virtualSize: 1 << 30,
        size: 1000,
        sha256: null,
      },
    ],
    verify: { state: 'never', at: null, deep: null, summary: null },
    copies: [],
  };
}

export function job(id: string, over: Partial<JobView> = {}): JobView {
  return {
    id,
    type: 'backup',
    state: 'succeeded',
    trigger: 'manual',
    domain: DOM1,
    domainName: 'web',
    pointId: POINT0,
    progress: { done: 100, total: 100 },
    createdAt: T0,
    startedAt: T0,
    endedAt: T0,
    error: null,
    result: null,
    ...over,
  };
}

export class FakeCatalogApi implements CatalogApi {
  readonly domains: DomainView[] = [domain(DOM1, 'web', 3), domain(DOM2, 'db', 0)];
  readonly points = new Map<string, PointView>(
    [POINT0, POINT1, POINT2].map((id, seq) => [id, point(id, seq)]),
  );
  readonly chains = new Map<string, ChainView>([
    [
      CHAIN1,
      {
        id: CHAIN1,
        domain: DOM1,
        domainName: 'web',
        disks: ['vda'],
        maxLength: 30,
        state: 'open',
        sealReason: null,
        owner: 'manual',
        ownerTaskId: null,
        points: 3,
        bytes: 3000,
        createdAt: T0,
      },
    ],
  ]);
  readonly jobs = new Map<string, JobView>([
    [JOB_DONE, job(JOB_DONE)],
    [
      JOB_FAILED,
      job(JOB_FAILED, { state: 'failed', error: { code: 'FREEZE_FAILED', message: 'agent said no' } }),
    ],
    [JOB_RUNNING, job(JOB_RUNNING, { state: 'running', progress: { done: 0, total: 1000 }, endedAt: null })],
  ]);
  private readonly watchers = new Map<string, Set<(job: JobView) => void>>();
  private nextJob = 0x100;

  constructor(private readonly enter: (method: string, ...args: unknown[]) => void) {}

  /** How many watchers a job has (0 once the stream unsubscribed). */
  watcherCount(id: string): number {
    return this.watchers.get(id)?.size ?? 0;
  }

  /** Changes a job and tells its watchers. */
  pushJob(id: string, patch: Partial<JobView>): JobView {
    const updated = { ...this.mustJob(id), ...patch };
    this.jobs.set(id, updated);
    for (const listener of [...(this.watchers.get(id) ?? [])]) listener(updated);
    return updated;
  }

  private mustJob(id: string): JobView {
    const j = this.jobs.get(id);
    if (j === undefined) throw new VirtpointError('JOB_NOT_FOUND', `no job ${id}`);
    return j;
  }

  findDomain(ref: string): DomainView {
    const d = this.domains.find((x) => x.uuid === ref || x.name === ref);
    if (d === undefined) throw new VirtpointError('DOMAIN_NOT_FOUND', `no domain ${ref}`);
    return d;
  }

  async status(): Promise<StatusView> {
    this.enter('status');
    return {
      version: '0.1.0',
      libvirtConnected: true,
      queue: { queued: 0, running: 1 },
      storeRoot: '/var/lib/virtpoint/store',
      startedAt: T0,
      store: { unknownFiles: 0, badManifests: 0, missingManifests: 0, scannedAt: null },
    };
  }

  async listDomains(): Promise<DomainView[]> {
    this.enter('listDomains');
    return [...this.domains];
  }

  async getDomain(ref: string): Promise<DomainView> {
    this.enter('getDomain', ref);
    return this.findDomain(ref);
  }

  /** A new queued job (stored, so its events can be followed). */
  queueJob(patch: Partial<JobView>): JobView {
    const id = (this.nextJob++).toString(16).padStart(12, '0');
    const j = job(id, {
      state: 'queued',
      progress: { done: 0, total: null },
      startedAt: null,
      endedAt: null,
      ...patch,
    });
    this.jobs.set(id, j);
    return j;
  }

  async listPoints(filter: PointFilterInput): Promise<PointView[]> {
    this.enter('listPoints', filter);
    return [...this.points.values()].filter(
      (p) =>
        (filter.chain === undefined || p.chainId === filter.chain) &&
        (filter.state === undefined || p.state === filter.state) &&
        (filter.domain === undefined || p.domain === this.findDomain(filter.domain).uuid),
    );
  }

  async getPoint(id: string): Promise<PointView> {
    this.enter('getPoint', id);
    const p = this.points.get(id);
    if (p === undefined) throw new VirtpointError('POINT_NOT_FOUND', `no point ${id}`);
    return p;
  }

  async deletePoint(id: string, opts: { cascade: boolean }): Promise<JobView> {
    this.enter('deletePoint', id, opts);
    if (!this.points.has(id)) throw new VirtpointError('POINT_NOT_FOUND', `no point ${id}`);
    return job('d00000000001', { type: 'delete', state: 'queued', pointId: id, endedAt: null });
  }

  async listChains(filter: { domain?: string }): Promise<ChainView[]> {
    this.enter('listChains', filter);
    const uuid = filter.domain === undefined ? undefined : this.findDomain(filter.domain).uuid;
    return [...this.chains.values()].filter((c) => uuid === undefined || c.domain === uuid);
  }

  async getChain(id: string): Promise<ChainView> {
    this.enter('getChain', id);
    const c = this.chains.get(id);
    if (c === undefined) throw new VirtpointError('CHAIN_NOT_FOUND', `no chain ${id}`);
    return c;
  }

  async deleteErrorPoints(filter: { domain?: string }): Promise<{ points: string[]; jobs: JobView[] }> {
    this.enter('deleteErrorPoints', filter);
    return {
      points: [],
      jobs: [job('d00000000003', { type: 'delete', state: 'queued', pointId: null, endedAt: null })],
    };
  }

  async deleteChain(id: string): Promise<JobView> {
    this.enter('deleteChain', id);
    await this.getChain(id);
    return job('d00000000002', { type: 'delete', state: 'queued', pointId: null, endedAt: null });
  }

  async listJobs(filter: JobFilterInput): Promise<JobView[]> {
    this.enter('listJobs', filter);
    return [...this.jobs.values()].filter(
      (j) =>
        (filter.state === undefined || j.state === filter.state) &&
        (filter.type === undefined || j.type === filter.type) &&
        (filter.trigger === undefined || j.trigger === filter.trigger),
    );
  }

  async getJob(id: string): Promise<JobView> {
    this.enter('getJob', id);
    return this.mustJob(id);
  }

  async cancelJob(id: string): Promise<JobView> {
    this.enter('cancelJob', id);
    const j = this.mustJob(id);
    if (isJobFinal(j.state)) throw new VirtpointError('INVALID_STATE', `job ${id} is already ${j.state}`);
    return this.pushJob(id, { state: 'canceled', endedAt: T0 });
  }

  async deleteJob(id: string): Promise<void> {
    this.enter('deleteJob', id);
    const j = this.mustJob(id);
    if (!isJobFinal(j.state)) throw new VirtpointError('INVALID_STATE', `job ${id} is ${j.state}`);
    this.jobs.delete(id);
  }

  async deleteJobs(filter: JobDeleteInput): Promise<number> {
    this.enter('deleteJobs', filter);
    let n = 0;
    for (const [id, j] of this.jobs) {
      const final = isJobFinal(j.state) && j.endedAt !== null;
      const before =
        filter.before === undefined || (j.endedAt !== null && Date.parse(j.endedAt) < filter.before);
      if (final && (filter.state === undefined || j.state === filter.state) && before) {
        this.jobs.delete(id);
        n++;
      }
    }
    return n;
  }

  watchJob(id: string, listener: (job: JobView) => void): () => void {
    this.enter('watchJob', id);
    this.mustJob(id);
    const set = this.watchers.get(id) ?? new Set();
    set.add(listener);
    this.watchers.set(id, set);
    return () => void set.delete(listener);
  }

  async usage(filter: { domain?: string }): Promise<UsageView[]> {
    this.enter('usage', filter);
    return this.domains
      .filter((d) => filter.domain === undefined || d === this.findDomain(filter.domain))
      .map((d) => ({
        domain: d.uuid,
        domainName: d.name,
        chains: d.chains,
        points: d.points,
        bytes: d.bytes,
      }));
  }
}
