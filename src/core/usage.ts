/**
 * Space usage: bytes on disk of a point (sum of its files' allocated sizes) and per domain
 * (chains, points, bytes). Sizes not yet known (a point still `creating`) count as 0.
 */

export interface DiskSize {
  /** Allocated bytes of the file; null while unknown. */
  readonly size: number | null;
}

export interface DomainUsage {
  readonly domainUuid: string;
  readonly chains: number;
  readonly points: number;
  readonly bytes: number;
}

export function pointBytes(point: { readonly disks: readonly DiskSize[] }): number {
  return point.disks.reduce((sum, d) => sum + (d.size ?? 0), 0);
}

/** Aggregates points (and chains) per domain, sorted by domain UUID. */
export function aggregateUsage(
  chains: readonly { readonly domainUuid: string }[],
  points: readonly { readonly domainUuid: string; readonly disks: readonly DiskSize[] }[],
): DomainUsage[] {
  const acc = new Map<string, { chains: number; points: number; bytes: number }>();
  const get = (uuid: string) => {
    let u = acc.get(uuid);
    if (u === undefined) acc.set(uuid, (u = { chains: 0, points: 0, bytes: 0 }));
    return u;
  };
  for (const c of chains) get(c.domainUuid).chains++;
  for (const p of points) {
    const u = get(p.domainUuid);
    u.points++;
    u.bytes += pointBytes(p);
  }
  return [...acc.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([domainUuid, u]) => ({ domainUuid, ...u }));
}
