/**
 * Typed libvirt calls on one LibvirtConnection. Each method encodes its remote_*_args, makes the
 * call and decodes remote_*_ret. Errors are VirtpointError (see remote-error.ts, connection.ts).
 */
import { LibvirtConnection, type ConnectionOptions } from './connection.js';
import { JOB_TYPES, QEMU_PROGRAM, QEMU_PROTOCOL_VERSION, QemuProc, RemoteProc } from './procedures.js';
import { readTypedParams, type TypedParam } from './typed-params.js';
import {
  readCheckpoint,
  readDomain,
  readPool,
  readVolume,
  uuidToBytes,
  UUID_LEN,
  writeCheckpoint,
  writeDomain,
  writePool,
  writeVolume,
  XdrReader,
  XdrWriter,
  type CheckpointRef,
  type DomainRef,
  type PoolRef,
  type VolumeRef,
} from './xdr.js';

export interface ClientOptions extends ConnectionOptions {
  /** Extra time (ms) our call waits beyond an agent command's own timeout. Default 5 s. */
  readonly agentTimeoutMarginMs?: number;
}

export interface JobStatsReply {
  /** virDomainJobType as a word. */
  readonly type: (typeof JOB_TYPES)[number] | 'unknown';
  readonly params: TypedParam[];
}

function decode<T>(body: Buffer, read: (r: XdrReader) => T): T {
  const r = new XdrReader(body);
  const v = read(r);
  r.end();
  return v;
}

const noReply = (body: Buffer): void => decode(body, () => undefined);

export class LibvirtClient {
  private constructor(
    readonly connection: LibvirtConnection,
    private readonly opts: ClientOptions,
  ) {}

  /** Connects to libvirtd (see ConnectionOptions for the defaults) and opens `qemu:///system`. */
  static async connect(opts: ClientOptions = {}): Promise<LibvirtClient> {
    return new LibvirtClient(await LibvirtConnection.open(opts), opts);
  }

  /** Wraps an already open connection. */
  static fromConnection(connection: LibvirtConnection, opts: ClientOptions = {}): LibvirtClient {
    return new LibvirtClient(connection, opts);
  }

  get isOpen(): boolean {
    return this.connection.isOpen;
  }

  close(): Promise<void> {
    return this.connection.close();
  }

  /** The versions of libvirt and of the hypervisor (QEMU) as `major * 1e6 + minor * 1e3 + micro`. */
  async versions(): Promise<{ libvirt: number; qemu: number }> {
    const libvirt = decode(await this.call(RemoteProc.CONNECT_GET_LIB_VERSION, null), (r) =>
      Number(r.uhyper()),
    );
    const qemu = decode(await this.call(RemoteProc.CONNECT_GET_VERSION, null), (r) => Number(r.uhyper()));
    return { libvirt, qemu };
  }

  private call(proc: number, w: XdrWriter | null, timeoutMs?: number): Promise<Buffer> {
    return this.connection.call(proc, w, timeoutMs === undefined ? {} : { timeoutMs });
  }

  private dom(d: DomainRef): XdrWriter {
    const w = new XdrWriter();
    writeDomain(w, d);
    return w;
  }

  // ---- domains ----------------------------------------------------------------------------

  async lookupDomainByName(name: string): Promise<DomainRef> {
    return decode(
      await this.call(RemoteProc.DOMAIN_LOOKUP_BY_NAME, new XdrWriter().string(name)),
      readDomain,
    );
  }

  async lookupDomainByUuid(uuid: string): Promise<DomainRef> {
    const w = new XdrWriter().opaqueFixed(uuidToBytes(uuid), UUID_LEN);
    return decode(await this.call(RemoteProc.DOMAIN_LOOKUP_BY_UUID, w), readDomain);
  }

  /** All domains (active and inactive) with flags 0, or filtered by VIR_CONNECT_LIST_DOMAINS_* flags. */
  async listAllDomains(flags = 0): Promise<DomainRef[]> {
    const body = await this.call(RemoteProc.CONNECT_LIST_ALL_DOMAINS, new XdrWriter().int(1).uint(flags));
    return decode(body, (r) => {
      const doms = r.array(readDomain, 65536);
      r.uint();
      return doms;
    });
  }

  async getDomainXml(d: DomainRef, flags = 0): Promise<string> {
    return decode(await this.call(RemoteProc.DOMAIN_GET_XML_DESC, this.dom(d).uint(flags)), (r) =>
      r.string(),
    );
  }

  /** virDomainState and reason. */
  async getDomainState(d: DomainRef): Promise<{ state: number; reason: number }> {
    return decode(await this.call(RemoteProc.DOMAIN_GET_STATE, this.dom(d).uint(0)), (r) => ({
      state: r.int(),
      reason: r.int(),
    }));
  }

  /** Block info of a disk given by target (`vda`) or source path; bytes as bigint. */
  async getBlockInfo(
    d: DomainRef,
    disk: string,
  ): Promise<{ allocation: bigint; capacity: bigint; physical: bigint }> {
    const body = await this.call(RemoteProc.DOMAIN_GET_BLOCK_INFO, this.dom(d).string(disk).uint(0));
    return decode(body, (r) => ({ allocation: r.uhyper(), capacity: r.uhyper(), physical: r.uhyper() }));
  }

  /** Starts a defined domain (DomainStartFlags.PAUSED to start paused). */
  async createDomain(d: DomainRef, flags = 0): Promise<DomainRef> {
    return decode(await this.call(RemoteProc.DOMAIN_CREATE_WITH_FLAGS, this.dom(d).uint(flags)), readDomain);
  }

  async resumeDomain(d: DomainRef): Promise<void> {
    noReply(await this.call(RemoteProc.DOMAIN_RESUME, this.dom(d)));
  }

  async shutdownDomain(d: DomainRef, flags = 0): Promise<void> {
    noReply(await this.call(RemoteProc.DOMAIN_SHUTDOWN_FLAGS, this.dom(d).uint(flags)));
  }

  async destroyDomain(d: DomainRef, flags = 0): Promise<void> {
    noReply(await this.call(RemoteProc.DOMAIN_DESTROY_FLAGS, this.dom(d).uint(flags)));
  }

  async defineDomainXml(xml: string, flags = 0): Promise<DomainRef> {
    const w = new XdrWriter().string(xml).uint(flags);
    return decode(await this.call(RemoteProc.DOMAIN_DEFINE_XML_FLAGS, w), readDomain);
  }

  async undefineDomain(d: DomainRef, flags = 0): Promise<void> {
    noReply(await this.call(RemoteProc.DOMAIN_UNDEFINE_FLAGS, this.dom(d).uint(flags)));
  }

  // ---- checkpoints ------------------------------------------------------------------------

  /** Creates (or with CheckpointCreateFlags.REDEFINE, redefines) a checkpoint from XML. */
  async createCheckpoint(d: DomainRef, xml: string, flags = 0): Promise<CheckpointRef> {
    const body = await this.call(
      RemoteProc.DOMAIN_CHECKPOINT_CREATE_XML,
      this.dom(d).string(xml).uint(flags),
    );
    return decode(body, readCheckpoint);
  }

  async getCheckpointXml(c: CheckpointRef, flags = 0): Promise<string> {
    const w = new XdrWriter();
    writeCheckpoint(w, c);
    return decode(await this.call(RemoteProc.DOMAIN_CHECKPOINT_GET_XML_DESC, w.uint(flags)), (r) =>
      r.string(),
    );
  }

  async listAllCheckpoints(d: DomainRef, flags = 0): Promise<CheckpointRef[]> {
    const body = await this.call(RemoteProc.DOMAIN_LIST_ALL_CHECKPOINTS, this.dom(d).int(1).uint(flags));
    return decode(body, (r) => {
      const cps = r.array(readCheckpoint, 65536);
      r.int();
      return cps;
    });
  }

  async lookupCheckpoint(d: DomainRef, name: string): Promise<CheckpointRef> {
    const body = await this.call(
      RemoteProc.DOMAIN_CHECKPOINT_LOOKUP_BY_NAME,
      this.dom(d).string(name).uint(0),
    );
    return decode(body, readCheckpoint);
  }

  async deleteCheckpoint(c: CheckpointRef, flags = 0): Promise<void> {
    const w = new XdrWriter();
    writeCheckpoint(w, c);
    noReply(await this.call(RemoteProc.DOMAIN_CHECKPOINT_DELETE, w.uint(flags)));
  }

  // ---- backup and jobs --------------------------------------------------------------------

  async backupBegin(d: DomainRef, backupXml: string, checkpointXml: string | null, flags = 0): Promise<void> {
    const w = this.dom(d).string(backupXml).optString(checkpointXml).uint(flags);
    noReply(await this.call(RemoteProc.DOMAIN_BACKUP_BEGIN, w));
  }

  async backupGetXml(d: DomainRef): Promise<string> {
    return decode(await this.call(RemoteProc.DOMAIN_BACKUP_GET_XML_DESC, this.dom(d).uint(0)), (r) =>
      r.string(),
    );
  }

  async abortJob(d: DomainRef): Promise<void> {
    noReply(await this.call(RemoteProc.DOMAIN_ABORT_JOB, this.dom(d)));
  }

  /** Job stats; flags JobStatsFlags.COMPLETED for the last completed job. */
  async getJobStats(d: DomainRef, flags = 0): Promise<JobStatsReply> {
    const body = await this.call(RemoteProc.DOMAIN_GET_JOB_STATS, this.dom(d).uint(flags));
    return decode(body, (r) => {
      const t = r.int();
      const params = readTypedParams(r);
      return { type: JOB_TYPES[t] ?? 'unknown', params };
    });
  }

  // ---- guest agent ------------------------------------------------------------------------

  /** Freezes guest filesystems (all when `mountpoints` is empty); returns how many. */
  async fsFreeze(d: DomainRef, mountpoints: readonly string[] = [], timeoutMs?: number): Promise<number> {
    const w = this.dom(d)
      .array(mountpoints, (x, m) => x.string(m))
      .uint(0);
    return decode(await this.call(RemoteProc.DOMAIN_FSFREEZE, w, timeoutMs), (r) => r.int());
  }

  async fsThaw(d: DomainRef, mountpoints: readonly string[] = [], timeoutMs?: number): Promise<number> {
    const w = this.dom(d)
      .array(mountpoints, (x, m) => x.string(m))
      .uint(0);
    return decode(await this.call(RemoteProc.DOMAIN_FSTHAW, w, timeoutMs), (r) => r.int());
  }

  /**
   * Raw QEMU guest agent command (JSON text). The agent gets `timeoutMs` (rounded up to whole
   * seconds); our call waits that plus a margin. Returns the agent's JSON reply text.
   */
  async agentCommand(
    d: DomainRef,
    command: string,
    timeoutMs: number,
    opts: { strict?: boolean } = {},
  ): Promise<string | null> {
    // strict: the whole call is bounded by timeoutMs (+ 500 ms); the agent gets whole seconds
    // rounded down, so libvirt gives up on it no later than we do.
    const seconds = opts.strict
      ? Math.max(1, Math.floor(timeoutMs / 1000))
      : Math.max(1, Math.ceil(timeoutMs / 1000));
    const w = this.dom(d).string(command).int(seconds).uint(0);
    const body = await this.connection.call(QemuProc.DOMAIN_AGENT_COMMAND, w, {
      prog: QEMU_PROGRAM,
      vers: QEMU_PROTOCOL_VERSION,
      timeoutMs: opts.strict
        ? Math.max(timeoutMs, seconds * 1000) + 500
        : seconds * 1000 + (this.opts.agentTimeoutMarginMs ?? 5_000),
    });
    return decode(body, (r) => r.optString());
  }

  // ---- storage ----------------------------------------------------------------------------

  async lookupPoolByName(name: string): Promise<PoolRef> {
    return decode(
      await this.call(RemoteProc.STORAGE_POOL_LOOKUP_BY_NAME, new XdrWriter().string(name)),
      readPool,
    );
  }

  async refreshPool(p: PoolRef): Promise<void> {
    const w = new XdrWriter();
    writePool(w, p);
    noReply(await this.call(RemoteProc.STORAGE_POOL_REFRESH, w.uint(0)));
  }

  async createVolumeXml(p: PoolRef, xml: string, flags = 0): Promise<VolumeRef> {
    const w = new XdrWriter();
    writePool(w, p);
    return decode(await this.call(RemoteProc.STORAGE_VOL_CREATE_XML, w.string(xml).uint(flags)), readVolume);
  }

  async deleteVolume(v: VolumeRef, flags = 0): Promise<void> {
    const w = new XdrWriter();
    writeVolume(w, v);
    noReply(await this.call(RemoteProc.STORAGE_VOL_DELETE, w.uint(flags)));
  }

  async lookupVolumeByName(p: PoolRef, name: string): Promise<VolumeRef> {
    const w = new XdrWriter();
    writePool(w, p);
    return decode(await this.call(RemoteProc.STORAGE_VOL_LOOKUP_BY_NAME, w.string(name)), readVolume);
  }

  async lookupVolumeByPath(path: string): Promise<VolumeRef> {
    return decode(
      await this.call(RemoteProc.STORAGE_VOL_LOOKUP_BY_PATH, new XdrWriter().string(path)),
      readVolume,
    );
  }

  async getVolumePath(v: VolumeRef): Promise<string> {
    const w = new XdrWriter();
    writeVolume(w, v);
    return decode(await this.call(RemoteProc.STORAGE_VOL_GET_PATH, w), (r) => r.string());
  }

  // ---- events (used by events.ts) ---------------------------------------------------------

  async registerDomainEvent(eventId: number, d: DomainRef | null = null): Promise<number> {
    const w = new XdrWriter().int(eventId).optional(d, (x, v) => writeDomain(x, v));
    return decode(await this.call(RemoteProc.CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY, w), (r) => r.int());
  }

  async deregisterDomainEvent(callbackId: number): Promise<void> {
    const w = new XdrWriter().int(callbackId);
    noReply(await this.call(RemoteProc.CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY, w));
  }
}
