/**
 * remote_error (the body of a reply with status ERROR) decoded in full, and libvirt's error
 * numbers (virErrorNumber) mapped onto virtpoint's error codes. libvirt's own code, domain and
 * message stay in `details` for logs.
 */
import { VirtpointError, type ErrorCode } from '../../core/errors.js';
import { readDomain, XdrReader, type DomainRef } from './xdr.js';

export interface RemoteError {
  readonly code: number;
  readonly domain: number;
  readonly message: string | null;
  readonly level: number;
  readonly dom: DomainRef | null;
  readonly str1: string | null;
  readonly str2: string | null;
  readonly str3: string | null;
  readonly int1: number;
  readonly int2: number;
  readonly net: { readonly name: string; readonly uuid: Buffer } | null;
}

export function readRemoteError(r: XdrReader): RemoteError {
  const code = r.int();
  const domain = r.int();
  const message = r.optString();
  const level = r.int();
  const dom = r.optional((x) => readDomain(x));
  const str1 = r.optString();
  const str2 = r.optString();
  const str3 = r.optString();
  const int1 = r.int();
  const int2 = r.int();
  const net = r.optional((x) => ({ name: x.string(), uuid: x.opaqueFixed(16) }));
  return { code, domain, message, level, dom, str1, str2, str3, int1, int2, net };
}

export function decodeRemoteError(body: Buffer): RemoteError {
  return readRemoteError(new XdrReader(body));
}

/** virErrorNumber values the mapping cares about. */
export const VirErr = {
  INTERNAL_ERROR: 1,
  NO_SUPPORT: 3,
  INVALID_ARG: 8,
  OPERATION_FAILED: 9,
  XML_ERROR: 27,
  DOM_EXIST: 28,
  OPERATION_DENIED: 29,
  XML_DETAIL: 35,
  SYSTEM_ERROR: 38,
  RPC: 39,
  NO_DOMAIN: 42,
  AUTH_FAILED: 45,
  NO_STORAGE_POOL: 49,
  NO_STORAGE_VOL: 50,
  OPERATION_INVALID: 55,
  CONFIG_UNSUPPORTED: 67,
  OPERATION_TIMEOUT: 68,
  ARGUMENT_UNSUPPORTED: 74,
  OPERATION_ABORTED: 78,
  OPERATION_UNSUPPORTED: 84,
  AGENT_UNRESPONSIVE: 86,
  RESOURCE_BUSY: 87,
  ACCESS_DENIED: 88,
  STORAGE_VOL_EXIST: 90,
  XML_INVALID_SCHEMA: 92,
  AGENT_UNSYNCED: 97,
  INVALID_DOMAIN_CHECKPOINT: 102,
  NO_DOMAIN_CHECKPOINT: 103,
  NO_DOMAIN_BACKUP: 104,
  CHECKPOINT_INCONSISTENT: 109,
} as const;

const CODE_MAP: ReadonlyMap<number, ErrorCode> = new Map<number, ErrorCode>([
  [VirErr.NO_DOMAIN, 'DOMAIN_NOT_FOUND'],
  [VirErr.NO_DOMAIN_CHECKPOINT, 'CHECKPOINT_NOT_FOUND'],
  [VirErr.CHECKPOINT_INCONSISTENT, 'CHECKPOINT_INCONSISTENT'],
  [VirErr.AGENT_UNRESPONSIVE, 'AGENT_UNAVAILABLE'],
  [VirErr.AGENT_UNSYNCED, 'AGENT_UNAVAILABLE'],
  [VirErr.OPERATION_TIMEOUT, 'LIBVIRT_TIMEOUT'],
  [VirErr.OPERATION_INVALID, 'INVALID_STATE'],
  [VirErr.NO_STORAGE_POOL, 'POOL_NOT_FOUND'],
  [VirErr.NO_STORAGE_VOL, 'VOLUME_NOT_FOUND'],
  [VirErr.NO_DOMAIN_BACKUP, 'JOB_NOT_FOUND'],
  [VirErr.INVALID_ARG, 'INVALID_ARGUMENT'],
  [VirErr.XML_ERROR, 'INVALID_ARGUMENT'],
  [VirErr.XML_DETAIL, 'INVALID_ARGUMENT'],
  [VirErr.XML_INVALID_SCHEMA, 'INVALID_ARGUMENT'],
  [VirErr.INVALID_DOMAIN_CHECKPOINT, 'INVALID_ARGUMENT'],
  [VirErr.NO_SUPPORT, 'UNSUPPORTED'],
  [VirErr.CONFIG_UNSUPPORTED, 'UNSUPPORTED'],
  [VirErr.ARGUMENT_UNSUPPORTED, 'UNSUPPORTED'],
  [VirErr.OPERATION_UNSUPPORTED, 'UNSUPPORTED'],
  [VirErr.DOM_EXIST, 'ALREADY_EXISTS'],
  [VirErr.STORAGE_VOL_EXIST, 'ALREADY_EXISTS'],
  [VirErr.RESOURCE_BUSY, 'DOMAIN_BUSY'],
  [VirErr.OPERATION_DENIED, 'PERMISSION_DENIED'],
  [VirErr.ACCESS_DENIED, 'PERMISSION_DENIED'],
  [VirErr.AUTH_FAILED, 'PERMISSION_DENIED'],
  [VirErr.OPERATION_ABORTED, 'JOB_CANCELED'],
]);

/** Maps a libvirt error number (and its message, for the few ambiguous ones) to our code. */
export function mapLibvirtCode(e: Pick<RemoteError, 'code' | 'message'>): ErrorCode {
  // "argument unsupported: QEMU guest agent is not configured": no agent channel.
  if (e.code === VirErr.ARGUMENT_UNSUPPORTED && /guest agent/i.test(e.message ?? ''))
    return 'AGENT_UNAVAILABLE';
  return CODE_MAP.get(e.code) ?? 'LIBVIRT_ERROR';
}

export function remoteErrorToVirtpoint(
  e: RemoteError,
  call?: { readonly prog: number; readonly proc: number },
): VirtpointError {
  const code = mapLibvirtCode(e);
  const msg = e.message ?? `libvirt error ${e.code}`;
  return new VirtpointError(code, msg, {
    details: {
      ...(call ? { prog: call.prog, proc: call.proc } : {}),
      libvirtCode: e.code,
      libvirtDomain: e.domain,
      libvirtMessage: e.message,
      libvirtLevel: e.level,
      str1: e.str1,
      str2: e.str2,
      str3: e.str3,
      int1: e.int1,
      int2: e.int2,
    },
  });
}
