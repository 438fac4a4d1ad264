/**
 * Store layout. Under the store root (default /var/lib/virtpoint/store):
 *
 * ```
 * <domain-uuid>/<chain-id>/<disk>.<seq>.qcow2
 * ```
 *
 * Paths in the catalog are relative to the store root; an incremental's backing file is written
 * relative to its own directory (`<disk>.<parentSeq>.qcow2`), so a chain directory can be moved
 * or copied whole. Every component is validated: no separators, no `.`/`..`, nothing
 * path-like. Files are created 0600, directories 0711: QEMU runs as its own user (libvirt-qemu)
 * and libvirt hands it only the target file of a backup job (DAC relabel), so it must be able to
 * traverse the directories, but not list them.
 */

import path from 'node:path';

import { VirtpointError } from './errors.js';
import { isValidDiskTarget, isValidId } from './names.js';

export const DEFAULT_STORE_ROOT = '/var/lib/virtpoint/store';
export const STORE_FILE_MODE = 0o600;
export const STORE_DIR_MODE = 0o711;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const FILE_RE = /^([A-Za-z0-9][A-Za-z0-9_-]{0,63})\.(0|[1-9][0-9]{0,8})\.qcow2$/;

function bad(what: string, value: unknown): VirtpointError {
  return new VirtpointError('INVALID_ARGUMENT', `invalid ${what} for a store path: ${JSON.stringify(value)}`);
}

/** Lowercase RFC 4122 text form, as libvirt prints domain UUIDs. */
export function isValidDomainUuid(uuid: string): boolean {
  return UUID_RE.test(uuid);
}

function checkUuid(uuid: string): string {
  if (!isValidDomainUuid(uuid)) throw bad('domain UUID', uuid);
  return uuid;
}
function checkChainId(chainId: string): string {
  if (!isValidId(chainId)) throw bad('chain id', chainId);
  return chainId;
}
function checkTarget(target: string): string {
  if (!isValidDiskTarget(target)) throw bad('disk target', target);
  return target;
}
function checkSeq(seq: number): number {
  if (!Number.isSafeInteger(seq) || seq < 0 || seq > 999_999_999) throw bad('seq', seq);
  return seq;
}

/** `<domain-uuid>`: the directory of all chains of a domain. */
export function domainDir(domainUuid: string): string {
  return checkUuid(domainUuid);
}

/** `<domain-uuid>/<chain-id>`: the directory of one chain. */
export function chainDir(domainUuid: string, chainId: string): string {
  return `${checkUuid(domainUuid)}/${checkChainId(chainId)}`;
}

/** `<disk>.<seq>.qcow2`: the file name of one disk of one point. */
export function pointDiskFileName(target: string, seq: number): string {
  return `${checkTarget(target)}.${checkSeq(seq)}.qcow2`;
}

/** `<domain-uuid>/<chain-id>/<disk>.<seq>.qcow2`, relative to the store root. */
export function pointDiskPath(domainUuid: string, chainId: string, target: string, seq: number): string {
  return `${chainDir(domainUuid, chainId)}/${pointDiskFileName(target, seq)}`;
}

/**
 * The backing file of an incremental, relative to the incremental's own directory:
 * `<disk>.<parentSeq>.qcow2` (parentSeq is the tip the point is built on, see chain-decision).
 */
export function relativeBackingPath(target: string, parentSeq: number): string {
  return pointDiskFileName(target, parentSeq);
}

export interface ParsedStorePath {
  readonly domainUuid: string;
  readonly chainId: string;
  readonly target: string;
  readonly seq: number;
}

/** The parts of a relative point-disk path, or null for anything else (used by reconciliation). */
export function parseStorePath(relative: string): ParsedStorePath | null {
  const parts = relative.split('/');
  if (parts.length !== 3) return null;
  const [domainUuid, chainId, file] = parts as [string, string, string];
  const m = FILE_RE.exec(file);
  if (!isValidDomainUuid(domainUuid) || !isValidId(chainId) || m === null) return null;
  const [, target, seq] = m;
  if (target === undefined || seq === undefined) return null;
  return { domainUuid, chainId, target, seq: Number(seq) };
}

/**
 * The absolute path of a store-relative path. Throws INVALID_ARGUMENT for absolute paths or any
 * path that would leave the store root.
 */
export function resolveStorePath(storeRoot: string, relative: string): string {
  if (!path.posix.isAbsolute(storeRoot)) throw bad('store root', storeRoot);
  if (relative === '' || path.posix.isAbsolute(relative)) throw bad('relative path', relative);
  const parts = relative.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\0'))) {
    throw bad('relative path', relative);
  }
  return path.posix.join(storeRoot, relative);
}
