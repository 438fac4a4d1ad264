/**
 * Reading what a target holds (docs/copies.md, "Restore from a target"): every manifest under
 * the target (any host's), decrypted with the target's key when `.enc`, parsed strictly
 * (core/manifest.ts plus the copy's `host: {id, name}` key), and for each point the objects it
 * needs — its own files and, through the manifests' backing-file names, its ancestors' — with
 * the size each must have. A manifest that cannot be read is reported, never trusted.
 */

import { decryptBuffer, encryptedSize } from '../../core/encryption.js';
import { VirtpointError, toVirtpointError } from '../../core/errors.js';
import {
  MANIFEST_MAX_BYTES,
  parseManifestObject,
  type ManifestFile,
  type PointManifest,
} from '../../core/manifest.js';
import { parseManifestKey, remoteChainPrefix, type ParsedManifestKey } from '../../core/remote-layout.js';
import type { RemoteObject, TargetStore } from '../../ports/target.js';

export interface RemotePoint extends ParsedManifestKey {
  readonly key: string;
  readonly hostName: string | null;
  readonly manifest: PointManifest;
}

/** One object a point needs: a file of it or of an ancestor. */
export interface NeededFile {
  readonly key: string;
  readonly disk: string;
  /** The file's name in the chain directory (`vda.0.qcow2`): backing files are resolved by it. */
  readonly name: string;
  readonly encrypted: boolean;
  /** The plaintext sha256 and length the manifest recorded (null: not recorded). */
  readonly sha256: string | null;
  readonly fileSize: number | null;
  /** The object's size on the target when known (encrypted form when `encrypted`). */
  readonly objectSize: number | null;
  readonly virtualSize: number;
  readonly backingFile: string | null;
  /** The point whose file this is. */
  readonly pointId: string;
}

export interface Unreadable {
  readonly key: string;
  readonly code: string;
  readonly message: string;
}

export interface TargetListing {
  readonly points: readonly RemotePoint[];
  readonly unreadable: readonly Unreadable[];
  /** Every object by key (sizes). */
  readonly objects: ReadonlyMap<string, RemoteObject>;
}

/** A manifest object's bytes → the manifest (decrypted when `.enc`) and the copying host's name. */
export function parseRemoteManifest(
  bytes: Buffer,
  parsed: ParsedManifestKey,
  key: string,
  encryptKey: Uint8Array | null,
): { manifest: PointManifest; hostName: string | null } {
  let text: string;
  if (parsed.encrypted) {
    if (encryptKey === null) {
      throw new VirtpointError(
        'ENCRYPTION_KEY_MISMATCH',
        `${key} is encrypted and this target has no key: add the target again with --encrypt-key-file (the key it was written with)`,
      );
    }
    text = decryptBuffer(encryptKey, bytes, key).toString('utf8');
  } else {
    text = bytes.toString('utf8');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new VirtpointError('DATA_CORRUPT', `${key} is not JSON (${(e as Error).message}): it is damaged`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new VirtpointError('DATA_CORRUPT', `${key} is not a point manifest`);
  }
  const { host, ...rest } = value as Record<string, unknown>;
  let hostName: string | null = null;
  if (host !== undefined) {
    const h = host as Record<string, unknown> | null;
    if (typeof h !== 'object' || h === null || h.id !== parsed.hostId) {
      throw new VirtpointError('DATA_CORRUPT', `${key}: host.id does not match the host of its key`);
    }
    hostName = typeof h.name === 'string' ? h.name : null;
  }
  const manifest = parseManifestObject(rest, key);
  if (
    manifest.point.id !== parsed.pointId ||
    manifest.chain.id !== parsed.chainId ||
    manifest.domain.uuid !== parsed.domainUuid
  ) {
    throw new VirtpointError('DATA_CORRUPT', `${key}: its point, chain or domain differ from its key`);
  }
  return { manifest, hostName };
}

/** Lists the target and reads every manifest (one by one: a manifest is small). */
export async function readListing(
  store: TargetStore,
  encryptKey: Uint8Array | null,
  hostPrefix = '',
): Promise<TargetListing> {
  const all = await store.list(hostPrefix);
  const objects = new Map(all.map((o) => [o.key, o]));
  const points: RemotePoint[] = [];
  const unreadable: Unreadable[] = [];
  for (const o of all) {
    const parsed = parseManifestKey(o.key);
    if (parsed === null) continue;
    try {
      const bytes = await store.getObject(o.key, MANIFEST_MAX_BYTES * 2);
      const { manifest, hostName } = parseRemoteManifest(bytes, parsed, o.key, encryptKey);
      points.push({ ...parsed, key: o.key, hostName, manifest });
    } catch (e) {
      const err = toVirtpointError(e, 'DATA_CORRUPT');
      unreadable.push({ key: o.key, code: err.code, message: err.message });
    }
  }
  points.sort(
    (a, b) =>
      a.manifest.point.createdAt - b.manifest.point.createdAt ||
      a.chainId.localeCompare(b.chainId) ||
      a.manifest.point.seq - b.manifest.point.seq,
  );
  return { points, unreadable, objects };
}

export function fileKey(p: ParsedManifestKey, f: ManifestFile, encrypted: boolean): string {
  return `${remoteChainPrefix(p.hostId, p.domainUuid, p.chainId)}${f.name}${encrypted ? '.enc' : ''}`;
}

function needed(p: RemotePoint, f: ManifestFile, objects: ReadonlyMap<string, RemoteObject>): NeededFile {
  const key = fileKey(p, f, p.encrypted);
  return {
    key,
    disk: f.disk,
    name: f.name,
    encrypted: p.encrypted,
    sha256: f.sha256,
    fileSize: f.fileSize,
    objectSize: objects.get(key)?.size ?? null,
    virtualSize: f.virtualSize,
    backingFile: f.backingFile,
    pointId: p.pointId,
  };
}

export interface PointNeeds {
  /** Every object the point needs, ancestors first per disk. */
  readonly files: readonly NeededFile[];
  /** The point's own file per disk. */
  readonly top: ReadonlyMap<string, NeededFile>;
  /** What is missing or of the wrong size (object keys; a missing manifest by file name). */
  readonly missing: readonly string[];
}

/** The size an object must have for a recorded plaintext length (null: unknown). */
export function expectedObjectSize(fileSize: number | null, encrypted: boolean): number | null {
  if (fileSize === null) return null;
  return encrypted ? encryptedSize(fileSize) : fileSize;
}

/**
 * The objects point `p` needs from the listing: for each disk its own file, then the backing
 * files by name, each from the manifest (same host, domain and chain) that records it.
 */
export function pointNeeds(p: RemotePoint, listing: TargetListing): PointNeeds {
  const siblings = listing.points.filter(
    (q) => q.hostId === p.hostId && q.domainUuid === p.domainUuid && q.chainId === p.chainId,
  );
  const byName = new Map<string, { point: RemotePoint; file: ManifestFile }>();
  for (const q of siblings) for (const f of q.manifest.files) byName.set(f.name, { point: q, file: f });
  const files: NeededFile[] = [];
  const top = new Map<string, NeededFile>();
  const missing: string[] = [];
  for (const f of p.manifest.files) {
    const chain: NeededFile[] = [];
    let cur: NeededFile | null = needed(p, f, listing.objects);
    top.set(f.disk, cur);
    const seen = new Set<string>();
    while (cur !== null && !seen.has(cur.name)) {
      seen.add(cur.name);
      chain.unshift(cur);
      const want = expectedObjectSize(cur.fileSize, cur.encrypted);
      if (cur.objectSize === null || (want !== null && cur.objectSize !== want)) missing.push(cur.key);
      if (cur.backingFile === null) break;
      const b = byName.get(cur.backingFile);
      if (b === undefined) {
        missing.push(
          `${remoteChainPrefix(p.hostId, p.domainUuid, p.chainId)}points/(manifest of ${cur.backingFile})`,
        );
        cur = null;
      } else {
        cur = needed(b.point, b.file, listing.objects);
      }
    }
    files.push(...chain);
  }
  return { files, top, missing: [...new Set(missing)] };
}
