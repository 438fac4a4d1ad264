/**
 * The Hypervisor port: everything the service layer needs from libvirt/QEMU, in virtpoint's
 * terms. Implemented on our own libvirt RPC client (src/adapters/libvirt/) and by a fake for
 * unit tests (test/fakes/). Domains are addressed by UUID; `lookupDomain` also takes a name.
 *
 * Errors are always VirtpointError with a code (DOMAIN_NOT_FOUND, CHECKPOINT_NOT_FOUND,
 * CHECKPOINT_INCONSISTENT, AGENT_UNAVAILABLE, LIBVIRT_TIMEOUT, LIBVIRT_DISCONNECTED,
 * INVALID_STATE, ...).
 */

export type DomainState =
  'nostate' | 'running' | 'blocked' | 'paused' | 'shutdown' | 'shutoff' | 'crashed' | 'pmsuspended';

export interface DiskInfo {
  /** Target dev, e.g. `vda`: the disk's key. */
  readonly target: string;
  readonly bus: string;
  /** `disk`, `cdrom`, `floppy`, `lun`. */
  readonly device: string;
  /** `file`, `block`, `network`, `volume`. */
  readonly sourceType: string;
  /** Absolute path of the source file or block device; null for network/empty sources. */
  readonly sourcePath: string | null;
  /** For a `volume` disk (`<source pool=… volume=…/>`): the storage pool and volume it names. */
  readonly sourceVolume?: { readonly pool: string; readonly volume: string };
  /** Driver type: `qcow2`, `raw`, ... (null when the XML does not say). */
  readonly format: string | null;
  readonly readonly: boolean;
  /** Boot order from the XML (`<boot order=N/>`), if any. */
  readonly bootOrder: number | null;
}

export interface DomainInfo {
  readonly uuid: string;
  readonly name: string;
  readonly state: DomainState;
  /** All disks in XML order (cdroms included; callers filter with `device`). */
  readonly disks: readonly DiskInfo[];
  /** Whether the XML declares the `org.qemu.guest_agent.0` channel. */
  readonly hasAgentChannel: boolean;
}

/**
 * The disks a domain uses, from both of its definitions: the running configuration (live XML)
 * and the persistent one (inactive XML, what the next start uses). They differ after
 * `virsh attach-disk --config` (persistent only) or `--live` (live only).
 */
export interface DomainDisks {
  readonly uuid: string;
  readonly name: string;
  /** Disks of the running domain; empty when it is shut off. */
  readonly live: readonly DiskInfo[];
  /** Disks of the persistent definition; for a transient domain, its live disks. */
  readonly persistent: readonly DiskInfo[];
}

export interface BlockInfo {
  readonly capacity: number;
  readonly allocation: number;
  readonly physical: number;
}

export interface CheckpointInfo {
  readonly name: string;
  readonly parent: string | null;
  /** Seconds since the epoch. */
  readonly creationTime: number;
  readonly description: string | null;
  /** Disks of the checkpoint with `checkpoint="bitmap"` and their bitmap name. */
  readonly disks: readonly { target: string; bitmap: string | null }[];
  /** The raw XML (needed to redefine it). */
  readonly xml: string;
}

export interface BackupDiskSpec {
  readonly target: string;
  /** Absolute path of the pre-created target file (REUSE_EXTERNAL). */
  readonly targetPath: string;
  readonly targetFormat: 'qcow2' | 'raw';
}

export interface BackupSpec {
  /** Checkpoint name to back up from (incremental); undefined for full. */
  readonly incrementalFrom?: string;
  /** Disks to copy; disks of the domain not listed are excluded. */
  readonly disks: readonly BackupDiskSpec[];
  /** Checkpoint created atomically with the job, covering `disks`. */
  readonly checkpoint?: { readonly name: string; readonly description?: string };
  /**
   * Every disk target of the domain as the caller read it (under the domain's lock): the adapter
   * then reads no domain XML between freeze and backupBegin. Absent: the adapter reads it.
   */
  readonly domainDisks?: readonly string[];
}

export interface JobStats {
  /** libvirt job type: none, bounded, unbounded, completed, failed, cancelled. */
  readonly type: 'none' | 'bounded' | 'unbounded' | 'completed' | 'failed' | 'cancelled' | 'unknown';
  /** libvirt operation (VIR_DOMAIN_JOB_OPERATION_*), e.g. 'backup'. */
  readonly operation: string | null;
  readonly dataProcessed: number | null;
  readonly dataTotal: number | null;
  readonly timeElapsedMs: number | null;
  readonly errorMessage: string | null;
  /** Every typed parameter as decoded, for logs. */
  readonly raw: Readonly<Record<string, string | number | boolean | bigint>>;
}

export type HypervisorEvent =
  | {
      readonly kind: 'lifecycle';
      readonly domainUuid: string;
      readonly domainName: string;
      /** VIR_DOMAIN_EVENT_* as a word: defined, undefined, started, suspended, resumed, stopped, shutdown, pmsuspended, crashed. */
      readonly event: string;
      readonly detail: number;
    }
  | {
      readonly kind: 'job-completed';
      readonly domainUuid: string;
      readonly domainName: string;
      readonly stats: JobStats;
    }
  | {
      readonly kind: 'block-job';
      readonly domainUuid: string;
      readonly domainName: string;
      readonly disk: string;
      readonly jobType: number;
      readonly status: number;
    }
  | {
      readonly kind: 'agent-lifecycle';
      readonly domainUuid: string;
      readonly domainName: string;
      readonly state: 'connected' | 'disconnected';
      readonly reason: number;
    }
  | { readonly kind: 'connection'; readonly connected: boolean };

export type ShutdownMode = 'default' | 'acpi' | 'agent';

export interface AgentExecResult {
  readonly exitCode: number;
  readonly stdout: Buffer;
  readonly stderr: Buffer;
}

export interface Hypervisor {
  /** By UUID or by name. */
  lookupDomain(ref: string): Promise<DomainInfo>;
  listDomains(): Promise<DomainInfo[]>;
  /**
   * Every domain, running or shut off, with the disks of its live and of its persistent
   * definition (listDomains shows only the current one: a disk attached with `--config` to a
   * running domain is missing there). For "is this file still used by a domain".
   */
  listDomainDisks(): Promise<DomainDisks[]>;
  getDomainXml(uuid: string): Promise<string>;
  getDomainState(uuid: string): Promise<DomainState>;
  /**
   * Why a paused domain is paused (virDomainPausedReason as a word: `user`, `ioerror`,
   * `migration`, …; `unknown` for a value this code does not name); null when it is not paused.
   */
  pausedReason(uuid: string): Promise<string | null>;
  /** Resume a paused domain (virDomainResume). */
  resumeDomain(uuid: string): Promise<void>;
  getBlockInfo(uuid: string, target: string): Promise<BlockInfo>;
  startDomain(uuid: string, opts?: { paused?: boolean }): Promise<void>;
  shutdownDomain(uuid: string, mode?: ShutdownMode): Promise<void>;
  destroyDomain(uuid: string): Promise<void>;
  defineDomain(xml: string): Promise<DomainInfo>;
  undefineDomain(uuid: string): Promise<void>;

  listCheckpoints(uuid: string): Promise<CheckpointInfo[]>;
  /** Redefine checkpoint metadata from XML (REDEFINE; `validate` adds REDEFINE_VALIDATE). */
  redefineCheckpoint(uuid: string, xml: string, opts?: { validate?: boolean }): Promise<void>;
  deleteCheckpoint(
    uuid: string,
    name: string,
    opts?: { metadataOnly?: boolean; children?: boolean },
  ): Promise<void>;
  /**
   * Bytes changed since checkpoint `name`, per disk target (libvirt's checkpoint XML with the
   * SIZE flag). Only a running domain knows: INVALID_STATE otherwise; CHECKPOINT_NOT_FOUND.
   */
  checkpointDirtyBytes(uuid: string, name: string): Promise<Record<string, number>>;

  /** Start a push-mode backup job (REUSE_EXTERNAL). Resolves once the job runs. */
  beginBackup(uuid: string, spec: BackupSpec): Promise<void>;
  abortJob(uuid: string): Promise<void>;
  /** Stats of the running job, or of the last completed job with `completed`. */
  getJobStats(uuid: string, opts?: { completed?: boolean }): Promise<JobStats>;

  /**
   * Freeze all guest filesystems; returns how many were frozen. The call ends within
   * `timeoutMs` (plus a small margin): the agent's own wait in libvirt is bounded by it too, so
   * a hung agent holds nothing afterwards. FREEZE_TIMEOUT / FREEZE_FAILED / AGENT_UNAVAILABLE.
   */
  freezeFilesystems(uuid: string, timeoutMs: number): Promise<number>;
  /** Thaw all guest filesystems; returns how many were thawed. Bounded like the freeze. */
  thawFilesystems(uuid: string, timeoutMs: number): Promise<number>;
  /** Run a raw guest-agent command (JSON text in, JSON text out), bounded by `timeoutMs`. */
  agentCommand(uuid: string, command: string, timeoutMs: number): Promise<string>;

  /**
   * Resolves once connected to libvirtd (at once when connected); LIBVIRT_DISCONNECTED after
   * `timeoutMs` without a connection.
   */
  whenConnected(timeoutMs: number): Promise<void>;

  /** Subscribe to events; returns the unsubscribe function. */
  onEvent(listener: (event: HypervisorEvent) => void): () => void;
  close(): Promise<void>;
}
