import { iso, isoOrNull } from '../../core/iso.js';
import { pointBytes } from '../../core/usage.js';
import { resolveStorePath } from '../../core/store-layout.js';
import type { Catalog, Chain, Job, Point } from '../../ports/catalog.js';
import type { Copy } from '../../ports/copies-catalog.js';
import type { DomainInfo } from '../../ports/hypervisor.js';
import type {
  ChainView,
  CopyView,
  DomainView,
  JobView,
  OwnerFields,
  PointView,
} from '../../contract/index.js';

/** Catalog records → the API's JSON shapes (contract/). */

/** The owner of a chain as shown: `manual`, the task's name, or `(deleted task NAME)`. */
export function ownerFields(
  chain: Pick<Chain, 'ownerTaskId' | 'ownerName'> | null,
  taskName: (taskId: string) => string | null,
): OwnerFields {
  const id = chain?.ownerTaskId ?? null;
  if (id === null) return { owner: 'manual', ownerTaskId: null };
  const now = taskName(id);
  return { owner: now ?? `(deleted task ${chain?.ownerName ?? id})`, ownerTaskId: id };
}

/** Whether the chain's owning task is deleted (its points are orphaned). */
export function isOrphaned(
  chain: Pick<Chain, 'ownerTaskId'> | null,
  taskName: (taskId: string) => string | null,
): boolean {
  const id = chain?.ownerTaskId ?? null;
  return id !== null && taskName(id) === null;
}

export function copyView(c: Copy): CopyView {
  return {
    target: c.targetName,
    state: c.state,
    at: iso(c.at),
    bytes: c.bytes,
    error: c.error === null ? null : { code: c.error.code, message: c.error.message },
    attempts: c.attempts,
    retryAt: c.retryAt === null ? null : iso(c.retryAt),
  };
}

export function pointView(
  p: Point,
  domainName: string,
  storeRoot: string,
  owner: OwnerFields,
  copies: readonly Copy[] = [],
): PointView {
  return {
    id: p.id,
    name: p.name,
    domain: p.domainUuid,
    domainName,
    chainId: p.chainId,
    seq: p.seq,
    kind: p.kind,
    state: p.state,
    consistency: p.consistency,
    consistencyReason: p.consistencyReason,
    freezeMs: p.freezeMs,
    newChainReason: p.newChainReason,
    trigger: p.trigger,
    ...owner,
    createdAt: iso(p.createdAt),
    error: p.error,
    disks: p.disks.map((d) => ({
      target: d.target,
      path: resolveStorePath(storeRoot, d.path),
      virtualSize: d.virtualSize,
      size: d.size,
      sha256: d.sha256,
    })),
    verify: {
      state: p.verify.state,
      at: p.verify.at === null ? null : iso(p.verify.at),
      deep: p.verify.detail?.deep ?? null,
      summary: p.verify.detail?.summary ?? null,
    },
    copies: copies.map(copyView),
  };
}

export function jobView(j: Job): JobView {
  return {
    id: j.id,
    type: j.type,
    state: j.state,
    trigger: j.trigger,
    domain: j.domainUuid,
    domainName: j.domainName ?? null,
    pointId: j.pointId,
    progress: j.progress,
    createdAt: iso(j.createdAt),
    startedAt: isoOrNull(j.startedAt),
    endedAt: isoOrNull(j.endedAt),
    error: j.error,
    result: j.result,
  };
}

export function chainView(
  c: Chain,
  domainName: string,
  points: readonly Point[],
  owner: OwnerFields,
): ChainView {
  return {
    id: c.id,
    domain: c.domainUuid,
    domainName,
    disks: c.diskSet,
    maxLength: c.maxLength,
    state: c.state,
    sealReason: c.sealReason,
    ...owner,
    points: points.length,
    bytes: points.reduce((n, p) => n + pointBytes(p), 0),
    createdAt: iso(c.createdAt),
  };
}

export function domainView(
  d: DomainInfo,
  usage: { chains: number; points: number; bytes: number },
  lastPoint: Point | null,
): DomainView {
  return {
    uuid: d.uuid,
    name: d.name,
    state: d.state,
    hasAgentChannel: d.hasAgentChannel,
    disks: d.disks.map((x) => ({
      target: x.target,
      path: x.sourcePath,
      format: x.format,
      bus: x.bus,
      device: x.device,
    })),
    chains: usage.chains,
    points: usage.points,
    bytes: usage.bytes,
    lastPoint:
      lastPoint === null
        ? null
        : {
            id: lastPoint.id,
            name: lastPoint.name,
            createdAt: iso(lastPoint.createdAt),
            state: lastPoint.state,
          },
  };
}

/** The copies of the listed points, by point (one query for the list). */
export function copiesByPoint(catalog: Catalog, points: readonly Point[]): Map<string, Copy[]> {
  const out = new Map<string, Copy[]>();
  if (points.length === 0) return out;
  for (const c of catalog.copies.listCopies({ pointId: points.map((p) => p.id) })) {
    const list = out.get(c.pointId) ?? [];
    list.push(c);
    out.set(c.pointId, list);
  }
  return out;
}
