/**
 * Remote retention per target (docs/copies.md, "Remote retention"): `forever`, `chains:N` (per
 * domain, the N newest chains stay) or `days:N` (a chain goes once its newest point is older
 * than N days). Only whole chains of **this host's** prefix are deleted, and never the newest
 * chain of a domain (the one the next incremental copy may extend: deleting it would leave that
 * copy without its ancestors). Within a chain the manifests go first, newest first, and the data
 * files only after every manifest of the chain is gone — a chain is listed either complete or
 * not at all. Only names the remote layout makes are deleted (manifests and
 * `<disk>.<seq>.qcow2[.enc]` in the chain's prefix); anything else there is left and reported.
 * Deleting points locally never deletes a remote object.
 */

import type { RemotePruneResult } from '../../contract/index.js';
import { VirtpointError } from '../../core/errors.js';
import { parseManifestKey, remoteChainPrefix } from '../../core/remote-layout.js';
import type { Clock } from '../../ports/fs.js';
import type { Logger } from '../../ports/logger.js';
import type { TargetStore } from '../../ports/target.js';
import { withTarget, type OpenTargetDeps } from './open.js';
import { readListing, type RemotePoint } from './scan.js';

const DATA_RE = /^[a-z][a-z0-9]{0,31}\.(0|[1-9][0-9]{0,8})\.qcow2(\.enc)?$/;
const DAY = 86_400_000;

export interface RetentionDeps extends OpenTargetDeps {
  readonly clock: Clock;
  readonly log: Logger;
  /** This host's id in the remote layout; null while it has none (nothing of it is on a target). */
  readonly hostId: () => string | null;
}

export interface RemoteChain {
  readonly domainUuid: string;
  readonly chainId: string;
  readonly points: readonly RemotePoint[];
  /** The newest point's creation time. */
  readonly newest: number;
}

export type Rule = { kind: 'forever' } | { kind: 'chains'; n: number } | { kind: 'days'; n: number };

export function parseRule(spec: string): Rule {
  if (spec === 'forever') return { kind: 'forever' };
  const m = /^(chains|days):([1-9][0-9]*)$/.exec(spec);
  if (m === null)
    throw new VirtpointError(
      'INVALID_STATE',
      `retention ${JSON.stringify(spec)} is not forever, chains:N or days:N`,
    );
  return { kind: m[1] as 'chains' | 'days', n: Number(m[2]) };
}

/** The chains the rule deletes (pure): see the module comment. */
export function chainsToDelete(chains: readonly RemoteChain[], rule: Rule, now: number): RemoteChain[] {
  if (rule.kind === 'forever') return [];
  const byDomain = new Map<string, RemoteChain[]>();
  for (const c of chains) byDomain.set(c.domainUuid, [...(byDomain.get(c.domainUuid) ?? []), c]);
  const out: RemoteChain[] = [];
  for (const list of byDomain.values()) {
    const sorted = [...list].sort((a, b) => b.newest - a.newest);
    sorted.forEach((c, i) => {
      if (i === 0) return; // the newest chain of a domain always stays
      if (rule.kind === 'chains' ? i >= rule.n : c.newest < now - rule.n * DAY) out.push(c);
    });
  }
  return out;
}

export function groupChains(points: readonly RemotePoint[]): RemoteChain[] {
  const map = new Map<string, RemotePoint[]>();
  for (const p of points) {
    const k = `${p.domainUuid}/${p.chainId}`;
    map.set(k, [...(map.get(k) ?? []), p]);
  }
  return [...map.values()].map((ps) => ({
    domainUuid: ps[0]!.domainUuid,
    chainId: ps[0]!.chainId,
    points: ps,
    newest: Math.max(...ps.map((p) => p.manifest.point.createdAt)),
  }));
}

export class RemoteRetentionService {
  constructor(private readonly deps: RetentionDeps) {}

  async prune(name: string): Promise<RemotePruneResult> {
    return withTarget(this.deps, name, async ({ target, store, key }) => {
      const rule = parseRule(target.retention);
      const hostId = this.deps.hostId();
      const empty = {
        target: target.name,
        retention: target.retention,
        deletedChains: [],
        deletedObjects: 0,
      };
      if (rule.kind === 'forever' || hostId === null) return { ...empty, keptChains: 0 };
      const listing = await readListing(store, key, `${hostId}/`);
      if (listing.unreadable.length > 0) {
        // A manifest we cannot read may be the newest of a chain: deleting around it is a guess.
        throw new VirtpointError(
          'INVALID_STATE',
          `target ${target.name}: ${listing.unreadable.length} manifests of this host cannot be read (${listing.unreadable[0]!.key}: ${listing.unreadable[0]!.code}); nothing deleted — see virtpoint remote verify ${target.name}`,
        );
      }
      const chains = groupChains(listing.points);
      const doomed = chainsToDelete(chains, rule, this.deps.clock.now());
      let deletedObjects = 0;
      for (const c of doomed) deletedObjects += await this.deleteChain(store, hostId, c);
      if (doomed.length > 0) {
        this.deps.log.info(
          {
            target: target.name,
            retention: target.retention,
            chains: doomed.length,
            objects: deletedObjects,
          },
          'remote retention deleted chains',
        );
      }
      return {
        ...empty,
        deletedChains: doomed.map((c) => `${c.domainUuid}/${c.chainId}`),
        deletedObjects,
        keptChains: chains.length - doomed.length,
      };
    });
  }

  private async deleteChain(store: TargetStore, hostId: string, c: RemoteChain): Promise<number> {
    const prefix = remoteChainPrefix(hostId, c.domainUuid, c.chainId);
    const objects = await store.list(prefix);
    const manifests = objects
      .filter((o) => parseManifestKey(o.key) !== null)
      .map((o) => ({ key: o.key, seq: c.points.find((p) => p.key === o.key)?.manifest.point.seq ?? -1 }))
      .sort((a, b) => b.seq - a.seq);
    const data = objects.filter((o) => DATA_RE.test(o.key.slice(prefix.length)));
    const strangers = objects.length - manifests.length - data.length;
    for (const m of manifests) await store.delete(m.key);
    for (const d of data) await store.delete(d.key);
    if (strangers > 0)
      this.deps.log.warn(
        { prefix, objects: strangers },
        'objects not of the remote layout left in a deleted chain',
      );
    return manifests.length + data.length;
  }
}
