import { randomUUID } from 'node:crypto';
import { VirtpointError } from '../../src/core/errors.js';
import type {
  BackupSpec,
  BlockInfo,
  CheckpointInfo,
  DiskInfo,
  DomainDisks,
  DomainInfo,
  DomainState,
  Hypervisor,
  HypervisorEvent,
  JobStats,
  ShutdownMode,
} from '../../src/ports/hypervisor.js';

/**
 * A Hypervisor in memory for unit tests. Any single call can be made to fail (`failNext`), the
 * backup job's outcome is configurable, and the guest's freeze state is tracked so tests can
 * assert that a guest is never left frozen.
 */

export interface FakeDisk {
  target: string;
  sourcePath: string;
  format: string;
  capacity: number;
  /** A `volume` disk: the pool and volume its source names. */
  sourceVolume?: { pool: string; volume: string };
  device?: string;
  sourceType?: string;
  bootOrder?: number;
}

/**
 * How a guest answers a shutdown request: `stop` (at once, or after `afterPolls` state reads),
 * `ignore` (the request is accepted but nothing happens), `fail` (the request itself fails).
 */
export interface ShutdownBehaviour {
  acpi: 'stop' | 'ignore' | 'fail';
  agent: 'stop' | 'ignore' | 'fail';
  afterPolls?: number;
}

interface FakeDomain {
  uuid: string;
  name: string;
  state: DomainState;
  disks: FakeDisk[];
  /**
   * The persistent definition's disks when they differ from `disks` (the running ones), as after
   * `virsh attach-disk --config` on a running domain; null: the same.
   */
  persistentDisks: FakeDisk[] | null;
  hasAgentChannel: boolean;
  agentAlive: boolean;
  checkpoints: CheckpointInfo[];
  frozen: boolean;
  job: { spec: BackupSpec; processed: number; total: number } | null;
  lastJob: JobStats | null;
  shutdown: ShutdownBehaviour;
  /** State reads left until a requested shutdown completes. */
  stopIn: number | null;
  /** Why it is paused (virDomainPausedReason as a word) when `state` is `paused`. */
  pausedBy: string;
}

type Method = keyof Hypervisor;

const NO_JOB: JobStats = {
  type: 'none',
  operation: null,
  dataProcessed: null,
  dataTotal: null,
  timeElapsedMs: null,
  errorMessage: null,
  raw: {},
};

export class FakeHypervisor implements Hypervisor {
  readonly domains = new Map<string, FakeDomain>();
  readonly calls: { method: Method; args: unknown[] }[] = [];
  readonly backups: { uuid: string; spec: BackupSpec }[] = [];
  /** How a backup job ends: completed, failed (halfway) or never ends (until aborted). */
  jobOutcome: 'completed' | 'failed' | 'hang' = 'completed';
  /** Whether the job-completed event is sent (else only the completed-job stats tell). */
  sendJobEvents = true;
  /** Freeze never answers in time (the agent is silent). */
  freezeHangs = false;
  /**
   * The agent is hung (qemu-ga stopped): every agent call waits its whole timeout on this clock,
   * then fails as the adapter does (FREEZE_TIMEOUT / AGENT_UNAVAILABLE). Nothing gets frozen.
   */
  agentHung: { sleep(ms: number): Promise<void> } | null = null;
  /**
   * A failed job also pauses its guest with reason `ioerror`, as QEMU does when a copy-before-write
   * to a full target breaks a guest write (werror=enospc).
   */
  pauseOnJobFailure = false;
  /** The error message of a failed job. */
  jobError = 'injected: I/O error writing the target';
  /** Bytes changed since any checkpoint, per disk (checkpointDirtyBytes of a running domain). */
  dirtyBytes = 0;
  /** Whether libvirtd answers; see disconnect() and reconnect(). */
  connected = true;
  private connectWaiters: (() => void)[] = [];
  private failures = new Map<Method, Error[]>();
  private listeners = new Set<(e: HypervisorEvent) => void>();

  addDomain(opts: {
    name: string;
    state?: DomainState;
    disks: FakeDisk[];
    persistentDisks?: FakeDisk[];
    agent?: boolean;
    uuid?: string;
    shutdown?: Partial<ShutdownBehaviour>;
  }): string {
    const uuid = opts.uuid ?? randomUUID();
    this.domains.set(uuid, {
      uuid,
      name: opts.name,
      state: opts.state ?? 'running',
      disks: opts.disks,
      persistentDisks: opts.persistentDisks ?? null,
      hasAgentChannel: opts.agent !== false,
      agentAlive: opts.agent !== false,
      checkpoints: [],
      frozen: false,
      job: null,
      lastJob: null,
      shutdown: { acpi: 'stop', agent: 'stop', ...opts.shutdown },
      stopIn: null,
      pausedBy: 'user',
    });
    return uuid;
  }

  dom(uuid: string): FakeDomain {
    const d = this.domains.get(uuid);
    if (!d) throw new Error(`fake: no domain ${uuid}`);
    return d;
  }

  /** The next call of `method` throws `error` (queue: call several times for several failures). */
  failNext(
    method: Method,
    error: Error = new VirtpointError('LIBVIRT_ERROR', `injected failure in ${method}`),
  ) {
    const q = this.failures.get(method) ?? [];
    q.push(error);
    this.failures.set(method, q);
  }

  /** libvirtd goes away: calls fail with LIBVIRT_DISCONNECTED; a running job is lost (`jobLost`). */
  disconnect(opts: { jobLost?: boolean } = {}): void {
    this.connected = false;
    if (opts.jobLost !== false) for (const d of this.domains.values()) d.job = null;
    this.emit({ kind: 'connection', connected: false });
  }

  reconnect(): void {
    this.connected = true;
    this.emit({ kind: 'connection', connected: true });
    for (const w of this.connectWaiters.splice(0)) w();
  }

  private enter(method: Method, ...args: unknown[]): void {
    this.calls.push({ method, args });
    if (!this.connected)
      throw new VirtpointError('LIBVIRT_DISCONNECTED', `fake: libvirtd is gone (${method})`);
    const err = this.failures.get(method)?.shift();
    if (err) throw err;
  }

  private find(ref: string): FakeDomain {
    const d = this.domains.get(ref) ?? [...this.domains.values()].find((x) => x.name === ref);
    if (!d) throw new VirtpointError('DOMAIN_NOT_FOUND', `no domain ${ref}`);
    return d;
  }

  private diskInfo(disks: readonly FakeDisk[]): DiskInfo[] {
    return disks.map((x) => ({
      target: x.target,
      bus: 'virtio',
      device: x.device ?? 'disk',
      sourceType: x.sourceType ?? 'file',
      sourcePath: x.sourcePath,
      ...(x.sourceVolume ? { sourceVolume: x.sourceVolume } : {}),
      format: x.format,
      readonly: false,
      bootOrder: x.bootOrder ?? null,
    }));
  }

  private info(d: FakeDomain): DomainInfo {
    const disks = this.diskInfo(d.disks);
    return { uuid: d.uuid, name: d.name, state: d.state, disks, hasAgentChannel: d.hasAgentChannel };
  }

  private emit(e: HypervisorEvent) {
    for (const l of [...this.listeners]) l(e);
  }

  async lookupDomain(ref: string) {
    this.enter('lookupDomain', ref);
    return this.info(this.find(ref));
  }
  async listDomains() {
    this.enter('listDomains');
    return [...this.domains.values()].map((d) => this.info(d));
  }
  async listDomainDisks(): Promise<DomainDisks[]> {
    this.enter('listDomainDisks');
    return [...this.domains.values()].map((d) => ({
      uuid: d.uuid,
      name: d.name,
      live: d.state === 'shutoff' ? [] : this.diskInfo(d.disks),
      persistent: this.diskInfo(d.persistentDisks ?? d.disks),
    }));
  }
  async getDomainXml(uuid: string) {
    this.enter('getDomainXml', uuid);
    return `<domain><name>${this.find(uuid).name}</name></domain>`;
  }
  async getDomainState(uuid: string) {
    this.enter('getDomainState', uuid);
    const d = this.find(uuid);
    if (d.stopIn !== null && --d.stopIn <= 0) {
      d.stopIn = null;
      d.state = 'shutoff';
    }
    return d.state;
  }
  async pausedReason(uuid: string) {
    this.enter('pausedReason', uuid);
    const d = this.find(uuid);
    return d.state === 'paused' ? d.pausedBy : null;
  }
  async resumeDomain(uuid: string) {
    this.enter('resumeDomain', uuid);
    const d = this.find(uuid);
    if (d.state !== 'paused') throw new VirtpointError('INVALID_STATE', 'domain is not paused');
    d.state = 'running';
  }
  async getBlockInfo(uuid: string, target: string): Promise<BlockInfo> {
    this.enter('getBlockInfo', uuid, target);
    const disk = this.find(uuid).disks.find((x) => x.target === target);
    if (!disk) throw new VirtpointError('DISK_NOT_FOUND', `no disk ${target}`);
    return { capacity: disk.capacity, allocation: disk.capacity / 2, physical: disk.capacity / 2 };
  }
  async startDomain(uuid: string, opts: { paused?: boolean } = {}) {
    this.enter('startDomain', uuid, opts);
    const d = this.find(uuid);
    if (d.state !== 'shutoff') throw new VirtpointError('INVALID_STATE', 'domain is already running');
    d.state = opts.paused ? 'paused' : 'running';
    d.pausedBy = 'user';
  }
  async shutdownDomain(uuid: string, mode: ShutdownMode = 'default') {
    this.enter('shutdownDomain', uuid, mode);
    const d = this.find(uuid);
    if (d.state === 'shutoff') throw new VirtpointError('INVALID_STATE', 'domain is not running');
    const how = mode === 'agent' ? d.shutdown.agent : d.shutdown.acpi;
    if (mode === 'agent' && !d.agentAlive)
      throw new VirtpointError('AGENT_UNAVAILABLE', 'guest agent is not connected');
    if (how === 'fail') throw new VirtpointError('LIBVIRT_ERROR', `injected: ${mode} shutdown refused`);
    if (how === 'ignore') return;
    if (d.shutdown.afterPolls) d.stopIn = d.shutdown.afterPolls;
    else d.state = 'shutoff';
  }
  async destroyDomain(uuid: string) {
    this.enter('destroyDomain', uuid);
    const d = this.find(uuid);
    d.state = 'shutoff';
    d.stopIn = null;
    d.frozen = false;
    d.job = null;
  }
  async defineDomain(): Promise<DomainInfo> {
    throw new VirtpointError('UNSUPPORTED', 'fake: defineDomain');
  }
  async undefineDomain(uuid: string) {
    this.enter('undefineDomain', uuid);
    this.domains.delete(uuid);
  }
  async listCheckpoints(uuid: string) {
    this.enter('listCheckpoints', uuid);
    return [...this.find(uuid).checkpoints];
  }
  async redefineCheckpoint(uuid: string, xml: string) {
    this.enter('redefineCheckpoint', uuid, xml);
  }
  async deleteCheckpoint(uuid: string, name: string, opts: { metadataOnly?: boolean } = {}) {
    this.enter('deleteCheckpoint', uuid, name, opts);
    const d = this.find(uuid);
    const i = d.checkpoints.findIndex((c) => c.name === name);
    if (i < 0) throw new VirtpointError('CHECKPOINT_NOT_FOUND', `no checkpoint ${name}`);
    d.checkpoints.splice(i, 1);
  }
  async checkpointDirtyBytes(uuid: string, name: string): Promise<Record<string, number>> {
    this.enter('checkpointDirtyBytes', uuid, name);
    const d = this.find(uuid);
    const cp = d.checkpoints.find((c) => c.name === name);
    if (!cp) throw new VirtpointError('CHECKPOINT_NOT_FOUND', `no checkpoint ${name}`);
    if (d.state !== 'running') throw new VirtpointError('INVALID_STATE', 'domain is not running');
    return Object.fromEntries(cp.disks.map((x) => [x.target, this.dirtyBytes]));
  }
  async beginBackup(uuid: string, spec: BackupSpec) {
    this.enter('beginBackup', uuid, spec);
    const d = this.find(uuid);
    if (d.state === 'shutoff') throw new VirtpointError('INVALID_STATE', 'domain is not running');
    if (d.job) throw new VirtpointError('INVALID_STATE', 'another job is running');
    if (spec.incrementalFrom && !d.checkpoints.some((c) => c.name === spec.incrementalFrom)) {
      throw new VirtpointError('CHECKPOINT_NOT_FOUND', `no checkpoint ${spec.incrementalFrom}`);
    }
    this.backups.push({ uuid, spec });
    if (spec.checkpoint) {
      d.checkpoints.push({
        name: spec.checkpoint.name,
        parent: d.checkpoints.at(-1)?.name ?? null,
        creationTime: Math.floor(Date.now() / 1000),
        description: spec.checkpoint.description ?? null,
        disks: spec.disks.map((x) => ({ target: x.target, bitmap: spec.checkpoint!.name })),
        xml: '<domaincheckpoint/>',
      });
    }
    const total = spec.disks.length * 1024 * 1024;
    d.job = { spec, processed: 0, total };
    if (this.jobOutcome === 'hang') return;
    setTimeout(() => this.endJob(uuid, this.jobOutcome === 'completed' ? 'completed' : 'failed'), 5);
  }

  private endJob(uuid: string, type: 'completed' | 'failed' | 'cancelled') {
    const d = this.domains.get(uuid);
    if (!d?.job) return;
    const processed = type === 'completed' ? d.job.total : Math.floor(d.job.total / 2);
    const stats: JobStats = {
      type,
      operation: 'backup',
      dataProcessed: processed,
      dataTotal: d.job.total,
      timeElapsedMs: 5,
      errorMessage: type === 'failed' ? this.jobError : null,
      raw: {},
    };
    d.job = null;
    d.lastJob = stats;
    if (type === 'failed' && this.pauseOnJobFailure) {
      d.state = 'paused';
      d.pausedBy = 'ioerror';
    }
    if (this.sendJobEvents) this.emit({ kind: 'job-completed', domainUuid: uuid, domainName: d.name, stats });
  }

  async abortJob(uuid: string) {
    this.enter('abortJob', uuid);
    setTimeout(() => this.endJob(uuid, 'cancelled'), 1);
  }
  async getJobStats(uuid: string, opts: { completed?: boolean } = {}): Promise<JobStats> {
    this.enter('getJobStats', uuid, opts);
    const d = this.find(uuid);
    if (opts.completed) {
      return d.lastJob ?? NO_JOB;
    }
    if (!d.job) {
      return NO_JOB;
    }
    return {
      type: 'unbounded',
      operation: 'backup',
      dataProcessed: d.job.processed,
      dataTotal: d.job.total,
      timeElapsedMs: 1,
      errorMessage: null,
      raw: {},
    };
  }
  async freezeFilesystems(uuid: string, timeoutMs: number) {
    this.enter('freezeFilesystems', uuid, timeoutMs);
    const d = this.find(uuid);
    if (this.agentHung) {
      await this.agentHung.sleep(timeoutMs);
      throw new VirtpointError('FREEZE_TIMEOUT', `fake: freeze took over ${timeoutMs} ms`);
    }
    if (!d.agentAlive) throw new VirtpointError('AGENT_UNAVAILABLE', 'guest agent is not connected');
    d.frozen = true; // a silent agent may still have frozen some filesystems
    if (this.freezeHangs) throw new VirtpointError('LIBVIRT_TIMEOUT', 'guest agent did not answer in time');
    return d.disks.length;
  }
  async thawFilesystems(uuid: string, timeoutMs: number) {
    this.enter('thawFilesystems', uuid, timeoutMs);
    const d = this.find(uuid);
    if (this.agentHung) {
      await this.agentHung.sleep(timeoutMs);
      throw new VirtpointError('AGENT_UNAVAILABLE', `fake: thaw took over ${timeoutMs} ms`);
    }
    if (!d.agentAlive) throw new VirtpointError('AGENT_UNAVAILABLE', 'guest agent is not connected');
    const n = d.frozen ? d.disks.length : 0;
    d.frozen = false;
    return n;
  }
  async agentCommand(uuid: string, command: string, timeoutMs: number) {
    this.enter('agentCommand', uuid, command, timeoutMs);
    if (this.agentHung) {
      await this.agentHung.sleep(timeoutMs);
      throw new VirtpointError('AGENT_UNAVAILABLE', `fake: agent did not answer in ${timeoutMs} ms`);
    }
    if (command.includes('guest-fsfreeze-status')) {
      return JSON.stringify({ return: this.find(uuid).frozen ? 'frozen' : 'thawed' });
    }
    return '{"return":{}}';
  }
  async whenConnected(timeoutMs: number): Promise<void> {
    if (this.connected) return;
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(
        () => reject(new VirtpointError('LIBVIRT_DISCONNECTED', `fake: not connected after ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.connectWaiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }
  onEvent(listener: (e: HypervisorEvent) => void) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  async close() {}

  count(method: Method): number {
    return this.calls.filter((c) => c.method === method).length;
  }
}
