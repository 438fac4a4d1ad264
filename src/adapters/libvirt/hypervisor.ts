/**
 * LibvirtHypervisor: the Hypervisor port on our own libvirt RPC client, kept connected by a
 * LibvirtSupervisor. Domains are addressed by UUID (or name for lookupDomain).
 */
import { EventEmitter } from 'node:events';
import { isVirtpointError, VirtpointError } from '../../core/errors.js';
import type {
  BackupSpec,
  BlockInfo,
  CheckpointInfo,
  DomainDisks,
  DomainInfo,
  DomainState,
  Hypervisor,
  HypervisorEvent,
  JobStats,
  ShutdownMode,
} from '../../ports/hypervisor.js';
import type { PoolInfo, StoragePools, VolumeSpec } from '../../ports/storage-pools.js';
import type { LibvirtClient } from './client.js';
import {
  buildBackupXml,
  buildCheckpointXml,
  buildVolumeXml,
  parseCheckpointSizes,
  parseCheckpointXml,
  diskTargets,
  parseDomainXml,
} from './domain-xml.js';
import { agentCount, isAgentTimeout } from './agent-replies.js';
import { toJobStats } from './job-stats.js';
import {
  BackupBeginFlags,
  CheckpointCreateFlags,
  CheckpointDeleteFlags,
  CheckpointXmlFlags,
  DOMAIN_STATES,
  PAUSED_REASONS,
  DomainShutdownFlags,
  DomainStartFlags,
  DomainUndefineFlags,
  DomainXmlFlags,
  JobStatsFlags,
} from './procedures.js';
import { LibvirtSupervisor, type SupervisorOptions } from './supervisor.js';
import { isUuid, type DomainRef } from './xdr.js';

export type LibvirtHypervisorOptions = SupervisorOptions;

const STRICT = { strict: true } as const;

const SHUTDOWN_FLAGS: Record<ShutdownMode, number> = {
  default: DomainShutdownFlags.DEFAULT,
  acpi: DomainShutdownFlags.ACPI_POWER_BTN,
  agent: DomainShutdownFlags.GUEST_AGENT,
};

export class LibvirtHypervisor implements Hypervisor, StoragePools {
  private readonly refs = new Map<string, DomainRef>();
  private readonly emitter = new EventEmitter<{ event: [HypervisorEvent] }>();

  constructor(readonly supervisor: LibvirtSupervisor) {
    supervisor.on('event', (e) => this.emitter.emit('event', e));
    supervisor.on('connection', (connected) => this.emitter.emit('event', { kind: 'connection', connected }));
  }

  /** Starts a supervisor with `opts` and waits (up to `readyTimeoutMs`) for the first connection. */
  static async connect(
    opts: LibvirtHypervisorOptions = {},
    readyTimeoutMs = 10_000,
  ): Promise<LibvirtHypervisor> {
    const sup = new LibvirtSupervisor(opts);
    const hv = new LibvirtHypervisor(sup);
    try {
      await sup.ready(readyTimeoutMs);
    } catch (e) {
      await sup.stop();
      throw e;
    }
    return hv;
  }

  private get c(): LibvirtClient {
    return this.supervisor.client();
  }

  /** Domain reference by UUID (cached) or name. */
  private async ref(uuidOrName: string): Promise<DomainRef> {
    const key = uuidOrName.toLowerCase();
    const cached = this.refs.get(key);
    if (cached) return cached;
    const d = isUuid(uuidOrName)
      ? await this.c.lookupDomainByUuid(uuidOrName)
      : await this.c.lookupDomainByName(uuidOrName);
    this.refs.set(d.uuid, d);
    return d;
  }

  /** Runs `fn` on a domain; forgets the cached reference when the domain is gone. */
  private async onDomain<T>(uuid: string, fn: (c: LibvirtClient, d: DomainRef) => Promise<T>): Promise<T> {
    const d = await this.ref(uuid);
    try {
      return await fn(this.c, d);
    } catch (e) {
      if (isVirtpointError(e, 'DOMAIN_NOT_FOUND')) this.refs.delete(d.uuid);
      throw e;
    }
  }

  private async info(d: DomainRef): Promise<DomainInfo> {
    const [xml, st] = await Promise.all([this.c.getDomainXml(d), this.c.getDomainState(d)]);
    const parsed = parseDomainXml(xml);
    return {
      uuid: d.uuid,
      name: d.name,
      state: DOMAIN_STATES[st.state] ?? 'nostate',
      disks: parsed.disks,
      hasAgentChannel: parsed.hasAgentChannel,
    };
  }

  async lookupDomain(ref: string): Promise<DomainInfo> {
    const d = isUuid(ref) ? await this.ref(ref) : await this.c.lookupDomainByName(ref);
    this.refs.set(d.uuid, d);
    return this.onDomain(d.uuid, (_c, dd) => this.info(dd));
  }

  async listDomains(): Promise<DomainInfo[]> {
    const doms = await this.c.listAllDomains();
    const out = await Promise.all(
      doms.map(async (d) => {
        this.refs.set(d.uuid, d);
        try {
          return await this.info(d);
        } catch (e) {
          if (isVirtpointError(e, 'DOMAIN_NOT_FOUND')) return null; // vanished meanwhile
          throw e;
        }
      }),
    );
    return out.filter((x): x is DomainInfo => x !== null);
  }

  /** Both definitions of every domain (listAllDomains with flags 0: active and inactive ones). */
  async listDomainDisks(): Promise<DomainDisks[]> {
    const c = this.c;
    const out = await Promise.all(
      (await c.listAllDomains()).map(async (d): Promise<DomainDisks | null> => {
        try {
          const persistent = parseDomainXml(await c.getDomainXml(d, DomainXmlFlags.INACTIVE)).disks;
          const off = DOMAIN_STATES[(await c.getDomainState(d)).state] === 'shutoff';
          const live = off ? [] : parseDomainXml(await c.getDomainXml(d)).disks;
          return { uuid: d.uuid, name: d.name, live, persistent };
        } catch (e) {
          if (isVirtpointError(e, 'DOMAIN_NOT_FOUND')) return null; // vanished meanwhile
          throw e;
        }
      }),
    );
    return out.filter((x): x is DomainDisks => x !== null);
  }

  getDomainXml(uuid: string): Promise<string> {
    return this.onDomain(uuid, (c, d) => c.getDomainXml(d));
  }

  getDomainState(uuid: string): Promise<DomainState> {
    return this.onDomain(uuid, async (c, d) => DOMAIN_STATES[(await c.getDomainState(d)).state] ?? 'nostate');
  }

  pausedReason(uuid: string): Promise<string | null> {
    return this.onDomain(uuid, async (c, d) => {
      const st = await c.getDomainState(d);
      return DOMAIN_STATES[st.state] === 'paused' ? (PAUSED_REASONS[st.reason] ?? 'unknown') : null;
    });
  }

  async resumeDomain(uuid: string): Promise<void> {
    await this.onDomain(uuid, (c, d) => c.resumeDomain(d));
  }

  getBlockInfo(uuid: string, target: string): Promise<BlockInfo> {
    return this.onDomain(uuid, async (c, d) => {
      try {
        const b = await c.getBlockInfo(d, target);
        return {
          capacity: Number(b.capacity),
          allocation: Number(b.allocation),
          physical: Number(b.physical),
        };
      } catch (e) {
        if (isVirtpointError(e, 'INVALID_ARGUMENT')) {
          throw new VirtpointError('DISK_NOT_FOUND', `domain ${d.name} has no disk ${target}`, {
            cause: e,
            details: e.details,
          });
        }
        throw e;
      }
    });
  }

  async startDomain(uuid: string, opts: { paused?: boolean } = {}): Promise<void> {
    await this.onDomain(uuid, (c, d) => c.createDomain(d, opts.paused ? DomainStartFlags.PAUSED : 0));
  }

  async shutdownDomain(uuid: string, mode: ShutdownMode = 'default'): Promise<void> {
    await this.onDomain(uuid, (c, d) => c.shutdownDomain(d, SHUTDOWN_FLAGS[mode]));
  }

  async destroyDomain(uuid: string): Promise<void> {
    await this.onDomain(uuid, (c, d) => c.destroyDomain(d, 0));
  }

  async defineDomain(xml: string): Promise<DomainInfo> {
    const d = await this.c.defineDomainXml(xml, 0);
    this.refs.set(d.uuid, d);
    return this.info(d);
  }

  async undefineDomain(uuid: string): Promise<void> {
    await this.onDomain(uuid, (c, d) =>
      c.undefineDomain(d, DomainUndefineFlags.SNAPSHOTS_METADATA | DomainUndefineFlags.CHECKPOINTS_METADATA),
    );
    this.refs.delete(uuid.toLowerCase());
  }

  listCheckpoints(uuid: string): Promise<CheckpointInfo[]> {
    return this.onDomain(uuid, async (c, d) => {
      const cps = await c.listAllCheckpoints(d);
      const infos = await Promise.all(
        cps.map(async (cp) => parseCheckpointXml(await c.getCheckpointXml(cp))),
      );
      return infos.sort((a, b) => a.creationTime - b.creationTime || a.name.localeCompare(b.name));
    });
  }

  async redefineCheckpoint(uuid: string, xml: string, opts: { validate?: boolean } = {}): Promise<void> {
    const flags =
      CheckpointCreateFlags.REDEFINE | (opts.validate ? CheckpointCreateFlags.REDEFINE_VALIDATE : 0);
    await this.onDomain(uuid, (c, d) => c.createCheckpoint(d, xml, flags));
  }

  async deleteCheckpoint(
    uuid: string,
    name: string,
    opts: { metadataOnly?: boolean; children?: boolean } = {},
  ): Promise<void> {
    const flags =
      (opts.metadataOnly ? CheckpointDeleteFlags.METADATA_ONLY : 0) |
      (opts.children ? CheckpointDeleteFlags.CHILDREN : 0);
    await this.onDomain(uuid, (c, d) => c.deleteCheckpoint({ name, domain: d }, flags));
  }

  checkpointDirtyBytes(uuid: string, name: string): Promise<Record<string, number>> {
    return this.onDomain(uuid, async (c, d) => {
      const cp = await c.lookupCheckpoint(d, name);
      return parseCheckpointSizes(
        await c.getCheckpointXml(cp, CheckpointXmlFlags.SIZE | CheckpointXmlFlags.NO_DOMAIN),
      );
    });
  }

  async beginBackup(uuid: string, spec: BackupSpec): Promise<void> {
    await this.onDomain(uuid, async (c, d) => {
      const all = spec.domainDisks ?? diskTargets(await c.getDomainXml(d));
      for (const s of spec.disks) {
        if (!all.includes(s.target)) {
          throw new VirtpointError('DISK_NOT_FOUND', `domain ${d.name} has no disk ${s.target}`);
        }
      }
      const backupXml = buildBackupXml(spec, all);
      const checkpointXml = spec.checkpoint
        ? buildCheckpointXml(
            spec.checkpoint.name,
            spec.checkpoint.description,
            spec.disks.map((x) => x.target),
            all,
          )
        : null;
      await c.backupBegin(d, backupXml, checkpointXml, BackupBeginFlags.REUSE_EXTERNAL);
    });
  }

  async abortJob(uuid: string): Promise<void> {
    await this.onDomain(uuid, (c, d) => c.abortJob(d));
  }

  getJobStats(uuid: string, opts: { completed?: boolean } = {}): Promise<JobStats> {
    return this.onDomain(uuid, async (c, d) => {
      const r = await c.getJobStats(d, opts.completed ? JobStatsFlags.COMPLETED : 0);
      return toJobStats(r.type, r.params);
    });
  }

  /**
   * Freezes all guest filesystems through the agent command `guest-fsfreeze-freeze` with the
   * agent's own timeout set to ours (virDomainFSFreeze waits on libvirt's default agent timeout
   * and holds the domain's agent job meanwhile, so a thaw after our timeout queued behind it).
   * On our timeout the freeze may still happen in the guest: callers thaw in `finally` and check
   * the freeze state after the job.
   */
  freezeFilesystems(uuid: string, timeoutMs: number): Promise<number> {
    return this.onDomain(uuid, async (c, d) => {
      try {
        return agentCount(await c.agentCommand(d, '{"execute":"guest-fsfreeze-freeze"}', timeoutMs, STRICT));
      } catch (e) {
        if (isVirtpointError(e, 'LIBVIRT_TIMEOUT') || isAgentTimeout(e)) {
          throw new VirtpointError(
            'FREEZE_TIMEOUT',
            `guest filesystem freeze of ${d.name} took over ${timeoutMs} ms`,
            { cause: e },
          );
        }
        if (isVirtpointError(e, 'LIBVIRT_ERROR')) {
          throw new VirtpointError(
            'FREEZE_FAILED',
            `guest filesystem freeze of ${d.name} failed: ${e.message}`,
            { cause: e, details: e.details },
          );
        }
        throw e;
      }
    });
  }

  thawFilesystems(uuid: string, timeoutMs: number): Promise<number> {
    return this.onDomain(uuid, async (c, d) => {
      try {
        return agentCount(await c.agentCommand(d, '{"execute":"guest-fsfreeze-thaw"}', timeoutMs, STRICT));
      } catch (e) {
        if (isVirtpointError(e, 'LIBVIRT_TIMEOUT')) {
          throw new VirtpointError('AGENT_UNAVAILABLE', `guest agent of ${d.name} did not thaw in time`, {
            cause: e,
          });
        }
        throw e;
      }
    });
  }

  agentCommand(uuid: string, command: string, timeoutMs: number): Promise<string> {
    return this.onDomain(uuid, async (c, d) => {
      try {
        return (await c.agentCommand(d, command, timeoutMs, STRICT)) ?? '';
      } catch (e) {
        if (isVirtpointError(e, 'LIBVIRT_TIMEOUT')) {
          throw new VirtpointError('AGENT_UNAVAILABLE', `guest agent of ${d.name} did not answer in time`, {
            cause: e,
            details: e.details,
          });
        }
        throw e;
      }
    });
  }

  async whenConnected(timeoutMs: number): Promise<void> {
    await this.supervisor.ready(timeoutMs);
  }

  // ---- storage pools (the StoragePools port) ------------------------------------------------

  async lookupPool(name: string): Promise<PoolInfo> {
    const p = await this.c.lookupPoolByName(name);
    return { name: p.name };
  }

  async refreshPool(pool: string): Promise<void> {
    const c = this.c;
    await c.refreshPool(await c.lookupPoolByName(pool));
  }

  /** Creates an empty volume in `pool` (virStorageVolCreateXML); returns its path. */
  async createVolume(pool: string, volume: VolumeSpec): Promise<string> {
    const c = this.c;
    const vol = await c.createVolumeXml(await c.lookupPoolByName(pool), buildVolumeXml(volume));
    return c.getVolumePath(vol);
  }

  async volumePath(pool: string, name: string): Promise<string> {
    const c = this.c;
    return c.getVolumePath(await c.lookupVolumeByName(await c.lookupPoolByName(pool), name));
  }

  async deleteVolume(path: string): Promise<void> {
    const c = this.c;
    await c.deleteVolume(await c.lookupVolumeByPath(path));
  }

  onEvent(listener: (event: HypervisorEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  async close(): Promise<void> {
    await this.supervisor.stop();
    this.emitter.removeAllListeners();
  }
}
