/**
 * Object names on a target (docs/copies.md, "Remote layout"), relative to the target's prefix:
 *
 * ```
 * <host-id>/<domain-uuid>/<chain-id>/<disk>.<seq>.qcow2[.enc]
 * <host-id>/<domain-uuid>/<chain-id>/points/<point-id>.json[.enc]   # written last
 * ```
 *
 * UUIDs and ids only, never a domain name. `.enc` when the target encrypts (core/encryption.ts).
 */

import { VirtpointError } from './errors.js';
import { isValidId } from './names.js';
import { chainDir, isValidDomainUuid, pointDiskFileName } from './store-layout.js';

const MANIFEST_KEY_RE =
  /^([0-9a-f]{12})\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/([0-9a-f]{12})\/points\/([0-9a-f]{12})\.json(\.enc)?$/;

function checkHost(hostId: string): string {
  if (!isValidId(hostId))
    throw new VirtpointError('INVALID_ARGUMENT', `invalid host id ${JSON.stringify(hostId)}`);
  return hostId;
}

const suffix = (encrypted: boolean): string => (encrypted ? '.enc' : '');

/** `<host-id>/<domain-uuid>/<chain-id>/`. */
export function remoteChainPrefix(hostId: string, domainUuid: string, chainId: string): string {
  return `${checkHost(hostId)}/${chainDir(domainUuid, chainId)}/`;
}

/** `<host-id>/<domain-uuid>/<chain-id>/<disk>.<seq>.qcow2[.enc]`. */
export function remoteFileKey(
  hostId: string,
  domainUuid: string,
  chainId: string,
  disk: string,
  seq: number,
  encrypted: boolean,
): string {
  return `${remoteChainPrefix(hostId, domainUuid, chainId)}${pointDiskFileName(disk, seq)}${suffix(encrypted)}`;
}

/** `<host-id>/<domain-uuid>/<chain-id>/points/<point-id>.json[.enc]`. */
export function remoteManifestKey(
  hostId: string,
  domainUuid: string,
  chainId: string,
  pointId: string,
  encrypted: boolean,
): string {
  if (!isValidId(pointId))
    throw new VirtpointError('INVALID_ARGUMENT', `invalid point id ${JSON.stringify(pointId)}`);
  return `${remoteChainPrefix(hostId, domainUuid, chainId)}points/${pointId}.json${suffix(encrypted)}`;
}

export interface ParsedManifestKey {
  readonly hostId: string;
  readonly domainUuid: string;
  readonly chainId: string;
  readonly pointId: string;
  readonly encrypted: boolean;
}

/** The parts of a manifest key, or null for any other key (data files, strangers). */
export function parseManifestKey(key: string): ParsedManifestKey | null {
  const m = MANIFEST_KEY_RE.exec(key);
  if (m === null || !isValidDomainUuid(m[2] ?? '')) return null;
  return {
    hostId: m[1] ?? '',
    domainUuid: m[2] ?? '',
    chainId: m[3] ?? '',
    pointId: m[4] ?? '',
    encrypted: m[5] !== undefined,
  };
}
