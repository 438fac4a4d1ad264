/**
 * `remote list` and `remote verify` (docs/copies.md, "Restore from a target"): what a target
 * holds, read from its manifests alone (no catalog needed: a fresh host works), and a re-read of
 * the remote files against the manifests' sha256 (over SSH the remote computes it when the
 * object is stored in clear; otherwise the object is streamed, decrypted and hashed here).
 */

import type {
  RemoteFileCheck,
  RemoteListFilter,
  RemoteListResult,
  RemotePointView,
  RemoteVerifyResult,
} from '../../contract/index.js';
import { VirtpointError, toVirtpointError } from '../../core/errors.js';
import { iso } from '../../core/iso.js';
import { isValidId } from '../../core/names.js';
import type { Logger } from '../../ports/logger.js';
import type { TargetStore } from '../../ports/target.js';
import { verifiedStream } from './fetch.js';
import { withTarget, type OpenTargetDeps } from './open.js';
import { pointNeeds, readListing, type NeededFile, type RemotePoint, type TargetListing } from './scan.js';

export interface RemoteDeps extends OpenTargetDeps {
  readonly log: Logger;
}

export function remotePointView(p: RemotePoint, listing: TargetListing): RemotePointView {
  const needs = pointNeeds(p, listing);
  const own = needs.files.filter((f) => f.pointId === p.pointId);
  const m = p.manifest;
  return {
    pointId: p.pointId,
    name: m.point.name,
    hostId: p.hostId,
    hostName: p.hostName,
    domainUuid: p.domainUuid,
    domainName: m.domain.name,
    volume: m.resource?.kind === 'volume',
    chainId: p.chainId,
    seq: m.point.seq,
    kind: m.point.kind,
    parentId: m.point.parentId,
    createdAt: iso(m.point.createdAt),
    disks: m.chain.diskSet,
    encrypted: p.encrypted,
    complete: needs.missing.length === 0,
    missing: needs.missing,
    bytes: own.reduce((a, f) => a + (f.objectSize ?? 0), 0),
  };
}

/** The point `pointId` on the listing (any host); REMOTE_NOT_FOUND naming `remote list`. */
export function findRemotePoint(listing: TargetListing, pointId: string, target: string): RemotePoint {
  const p = isValidId(pointId) ? listing.points.find((x) => x.pointId === pointId) : undefined;
  if (p === undefined) {
    throw new VirtpointError(
      'REMOTE_NOT_FOUND',
      `target ${target} holds no point ${pointId} (or its manifest cannot be read): see virtpoint remote list ${target}`,
    );
  }
  return p;
}

async function checkFile(
  store: TargetStore,
  f: NeededFile,
  key: Uint8Array | null,
): Promise<{ state: RemoteFileCheck; detail: string | null }> {
  const head = await store.head(f.key);
  if (head === null) return { state: 'missing', detail: 'no such object' };
  try {
    if (!f.encrypted && f.sha256 !== null) {
      const remote = await store.remoteSha256(f.key);
      if (remote !== null) {
        return remote === f.sha256
          ? { state: 'ok', detail: 'sha256 computed on the target' }
          : { state: 'mismatch', detail: `sha256 ${remote}, recorded ${f.sha256}` };
      }
    }
    for await (const chunk of verifiedStream(store, f, key)) void chunk;
    return { state: 'ok', detail: f.sha256 === null ? 'read whole (no sha256 recorded)' : null };
  } catch (e) {
    const err = toVirtpointError(e, 'TARGET_ERROR');
    if (err.code === 'REMOTE_NOT_FOUND') return { state: 'missing', detail: err.message };
    if (['DATA_CORRUPT', 'DATA_TRUNCATED', 'ENCRYPTION_KEY_MISMATCH'].includes(err.code))
      return { state: 'mismatch', detail: `${err.code}: ${err.message}` };
    return { state: 'unreadable', detail: `${err.code}: ${err.message}` };
  }
}

export class RemoteService {
  constructor(private readonly deps: RemoteDeps) {}

  async list(name: string, filter: RemoteListFilter = {}): Promise<RemoteListResult> {
    return withTarget(this.deps, name, async ({ target, store, key }) => {
      const listing = await readListing(store, key);
      const points = listing.points
        .filter(
          (p) =>
            filter.domain === undefined ||
            p.domainUuid === filter.domain ||
            p.manifest.domain.name === filter.domain,
        )
        .filter((p) => filter.host === undefined || p.hostId === filter.host || p.hostName === filter.host)
        .map((p) => remotePointView(p, listing));
      return { target: target.name, points, unreadable: listing.unreadable };
    });
  }

  /** Every point (or `pointId` with its ancestors' files) re-read and compared with its manifest. */
  async verify(name: string, pointId?: string): Promise<RemoteVerifyResult> {
    return withTarget(this.deps, name, async ({ target, store, key }) => {
      const listing = await readListing(store, key);
      const chosen =
        pointId === undefined ? listing.points : [findRemotePoint(listing, pointId, target.name)];
      const points = [];
      for (const p of chosen) {
        const needs = pointNeeds(p, listing);
        const files =
          pointId === undefined ? needs.files.filter((f) => f.pointId === p.pointId) : needs.files;
        const checks = [];
        for (const f of files) checks.push({ key: f.key, ...(await checkFile(store, f, key)) });
        for (const m of needs.missing.filter((k) => !files.some((f) => f.key === k)))
          checks.push({ key: m, state: 'missing' as const, detail: 'needed by the point' });
        points.push({
          pointId: p.pointId,
          domainName: p.manifest.domain.name,
          chainId: p.chainId,
          seq: p.manifest.point.seq,
          ok: checks.every((c) => c.state === 'ok'),
          files: checks,
        });
      }
      const ok = points.every((p) => p.ok) && listing.unreadable.length === 0;
      this.deps.log.info({ target: target.name, points: points.length, ok }, 'remote verify done');
      return { target: target.name, ok, points };
    });
  }
}
