/**
 * Row shapes of the catalog tables and their mapping to the Catalog records, plus the
 * translation of SQLite errors into VirtpointError codes.
 */

import type { ErrorCode } from '../../core/errors.js';
import { VirtpointError } from '../../core/errors.js';
import { parseDiskSetKey } from '../../core/names.js';
import type {
  Chain,
  ChainSealReason,
  CodedError,
  Consistency,
  DiskFormat,
  Domain,
  Job,
  JobState,
  JobType,
  NewChainReason,
  Point,
  PointDisk,
  PointKind,
  PointState,
  Trigger,
  VerifyDetail,
  VerifyState,
} from '../../ports/catalog.js';

export interface DomainRow {
  uuid: string;
  name: string;
  first_seen_at: number;
  last_seen_at: number;
}

export interface ChainRow {
  id: string;
  domain_uuid: string;
  disk_set: string;
  max_length: number;
  state: string;
  seal_reason: string | null;
  owner_task_id: string | null;
  owner_name: string | null;
  replaces: string | null;
  created_at: number;
  sealed_at: number | null;
}

export interface PointRow {
  id: string;
  name: string;
  domain_uuid: string;
  chain_id: string;
  seq: number;
  kind: string;
  state: string;
  consistency: string | null;
  consistency_reason: string | null;
  freeze_ms: number | null;
  new_chain_reason: string | null;
  trigger: string;
  created_at: number;
  updated_at: number;
  error_code: string | null;
  error_message: string | null;
  verify_state: string;
  verified_at: number | null;
  verify_detail: string | null;
}

export interface PointDiskRow {
  point_id: string;
  target: string;
  path: string;
  virtual_size: number;
  size: number | null;
  format: string;
  checkpoint: string | null;
  file_size: number | null;
  sha256: string | null;
}

export interface JobRow {
  id: string;
  type: string;
  state: string;
  trigger: string;
  domain_uuid: string | null;
  /** From the domains table (jobs JOIN domains); absent in rows read without it. */
  domain_name?: string | null;
  point_id: string | null;
  progress_done: number;
  progress_total: number | null;
  error_code: string | null;
  error_message: string | null;
  result: string | null;
  created_at: number;
  started_at: number | null;
  ended_at: number | null;
}

function codedError(code: string | null, message: string | null): CodedError | null {
  return code === null ? null : { code: code as ErrorCode, message: message ?? '' };
}

export function toDomain(r: DomainRow): Domain {
  return { uuid: r.uuid, name: r.name, firstSeenAt: r.first_seen_at, lastSeenAt: r.last_seen_at };
}

export function toChain(r: ChainRow): Chain {
  return {
    id: r.id,
    domainUuid: r.domain_uuid,
    diskSet: parseDiskSetKey(r.disk_set),
    maxLength: r.max_length,
    state: r.state as Chain['state'],
    sealReason: r.seal_reason as ChainSealReason | null,
    ownerTaskId: r.owner_task_id,
    ownerName: r.owner_name,
    replaces: r.replaces,
    createdAt: r.created_at,
    sealedAt: r.sealed_at,
  };
}

export function toPointDisk(r: PointDiskRow): PointDisk {
  return {
    target: r.target,
    path: r.path,
    virtualSize: r.virtual_size,
    size: r.size,
    format: r.format as DiskFormat,
    checkpoint: r.checkpoint,
    fileSize: r.file_size,
    sha256: r.sha256,
  };
}

export function toPoint(r: PointRow, disks: readonly PointDiskRow[]): Point {
  return {
    id: r.id,
    name: r.name,
    domainUuid: r.domain_uuid,
    chainId: r.chain_id,
    seq: r.seq,
    kind: r.kind as PointKind,
    state: r.state as PointState,
    consistency: r.consistency as Consistency | null,
    consistencyReason: r.consistency_reason,
    freezeMs: r.freeze_ms,
    newChainReason: r.new_chain_reason as NewChainReason | null,
    trigger: r.trigger as Trigger,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    error: codedError(r.error_code, r.error_message),
    disks: disks.map(toPointDisk),
    verify: {
      state: r.verify_state as VerifyState,
      at: r.verified_at,
      detail: r.verify_detail === null ? null : (JSON.parse(r.verify_detail) as VerifyDetail),
    },
  };
}

export function toJob(r: JobRow): Job {
  return {
    id: r.id,
    type: r.type as JobType,
    state: r.state as JobState,
    trigger: r.trigger as Trigger,
    domainUuid: r.domain_uuid,
    domainName: r.domain_name ?? null,
    pointId: r.point_id,
    progress: { done: r.progress_done, total: r.progress_total },
    error: codedError(r.error_code, r.error_message),
    result: r.result === null ? null : (JSON.parse(r.result) as unknown),
    createdAt: r.created_at,
    startedAt: r.started_at,
    endedAt: r.ended_at,
  };
}

/** SQLite errors → VirtpointError; VirtpointErrors pass through. */
export function translateSqliteError(e: unknown, what: string): VirtpointError {
  if (e instanceof VirtpointError) return e;
  const code = (e as { code?: unknown } | null)?.code;
  const message = e instanceof Error ? e.message : String(e);
  const map: Record<string, ErrorCode> = {
    SQLITE_CONSTRAINT_UNIQUE: 'ALREADY_EXISTS',
    SQLITE_CONSTRAINT_PRIMARYKEY: 'ALREADY_EXISTS',
    SQLITE_CONSTRAINT_CHECK: 'INVALID_ARGUMENT',
    SQLITE_CONSTRAINT_NOTNULL: 'INVALID_ARGUMENT',
    SQLITE_CONSTRAINT_FOREIGNKEY: 'NOT_FOUND',
    SQLITE_FULL: 'NO_SPACE',
    SQLITE_READONLY: 'PERMISSION_DENIED',
    SQLITE_CANTOPEN: 'IO_ERROR',
    SQLITE_IOERR: 'IO_ERROR',
    SQLITE_BUSY: 'IO_ERROR',
  };
  const mapped =
    typeof code === 'string' ? (map[code] ?? (code.startsWith('SQLITE_IOERR') ? 'IO_ERROR' : null)) : null;
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') {
    // The file is not a usable catalog: say how to get one back (docs/recovery.md).
    return new VirtpointError(
      'IO_ERROR',
      `catalog: ${what}: ${message}: move the catalog files (catalog.db, -wal, -shm) aside, then ` +
        'start `virtpointd --rebuild-catalog` (or `virtpoint catalog rebuild` on a running daemon) to ' +
        'rebuild it from the point manifests in the store, or put back a copy from <state>/catalog-backups/',
      { cause: e, details: { sqliteCode: code } },
    );
  }
  return new VirtpointError(mapped ?? 'INTERNAL', `catalog: ${what}: ${message}`, {
    cause: e,
    details: { sqliteCode: code },
  });
}
