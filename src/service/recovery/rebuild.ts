import { posix } from 'node:path';
import type { NewChainReason } from '../../core/chain-decision.js';
import { VirtpointError, toVirtpointError } from '../../core/errors.js';
import { parseManifestFileName, volumeLabel, type PointManifest } from '../../core/manifest.js';
import { isValidId } from '../../core/names.js';
import { isValidDomainUuid } from '../../core/store-layout.js';
import type { Catalog, Chain, Point } from '../../ports/catalog.js';
import type { Fs } from '../../ports/fs.js';
import type { Logger } from '../../ports/logger.js';
import type { ImportedChain } from '../../ports/catalog.js';
import type { NewVolumeResource, VolumeResourceCatalog } from '../../ports/volume-resources.js';
import { resourceUuid, VOLUME_TARGET } from '../volume-backup/resource.js';
import { readManifest } from './manifest-writer.js';
import type { UnknownEntry } from './store-scan.js';

/**
 * `virtpoint catalog rebuild` (docs/recovery.md): domains, chains and points recreated from the
 * manifests in the store, with their own ids, names and times; every point `available`.
 * - Only into an empty catalog (no chain, no point): otherwise INVALID_STATE, nothing changes.
 * - A manifest is used only when it parses, sits where it says (domain, chain, seq), and every
 *   file it lists exists. A point whose parent was not rebuilt is skipped too (its files need
 *   the parent's); so is a chain whose full point is missing. Skipped manifests are reported;
 *   nothing in the store is changed or deleted.
 * - Chain owner: from the manifests (`point.owner` `task:<id>`, `point.ownerName`), else manual.
 * - Chain state: per domain, disk set and owner, the newest chain is `open` unless it holds
 *   `maxLength` points (then sealed `chain-full`); older ones are sealed with the reason of the
 *   chain that replaced them. An open chain whose libvirt checkpoints are gone simply makes the
 *   next backup a full one (the usual checks of the backup flow).
 * - Detached volumes: a manifest with `resource` (kind `volume`) brings back the volume's
 *   volume_resources record (path, pool/volume, format; from its newest such manifest) and its
 *   domains row named by the volume's label. Such a manifest is used only when its resource UUID
 *   is the one of its path and its disk set is the volume's (`vol`): another path under the same
 *   UUID is reported as skipped. Older volume manifests without `resource` rebuild the points,
 *   but the resource only if a newer manifest of it names the volume.
 */

export interface RebuildReport {
  readonly domains: number;
  readonly chains: number;
  /** Ids of the points rebuilt, oldest first. */
  readonly points: string[];
  /** Manifests not used, with why. */
  readonly skipped: UnknownEntry[];
}

export interface RebuildDeps {
  readonly catalog: Catalog;
  /** Where the records of detached volumes go (the same database as `catalog`). */
  readonly resources: Pick<VolumeResourceCatalog, 'upsert' | 'touch'>;
  readonly fs: Fs;
  readonly log: Logger;
  readonly storeRoot: string;
  readonly now?: () => number;
}

interface Found {
  readonly rel: string;
  readonly m: PointManifest;
}

/** Whether the store holds at least one manifest file (stops at the first). */
export async function storeHasManifests(fs: Fs, storeRoot: string): Promise<boolean> {
  for (const domain of await fs.listDir(storeRoot)) {
    if (!isValidDomainUuid(domain)) continue;
    for (const chain of await fs.listDir(posix.join(storeRoot, domain)).catch(() => [])) {
      if (!isValidId(chain)) continue;
      const files = await fs.listDir(posix.join(storeRoot, domain, chain)).catch(() => []);
      if (files.some((f) => parseManifestFileName(f) !== null)) return true;
    }
  }
  return false;
}

/** Every manifest that parses, sits where it says and whose files exist; the rest in `skipped`. */
async function readManifests(fs: Fs, storeRoot: string, skipped: UnknownEntry[]): Promise<Found[]> {
  const found: Found[] = [];
  for (const domain of await fs.listDir(storeRoot)) {
    if (!isValidDomainUuid(domain)) continue;
    for (const chain of await fs.listDir(posix.join(storeRoot, domain)).catch(() => [])) {
      if (!isValidId(chain)) continue;
      const dir = posix.join(storeRoot, domain, chain);
      for (const file of await fs.listDir(dir).catch(() => [])) {
        const seq = parseManifestFileName(file);
        if (seq === null) continue;
        const rel = `${domain}/${chain}/${file}`;
        try {
          const m = await readManifest(fs, posix.join(dir, file));
          if (m === null) continue;
          if (m.domain.uuid !== domain || m.chain.id !== chain || m.point.seq !== seq) {
            skipped.push({ path: rel, reason: 'its domain, chain or seq differ from where it is' });
            continue;
          }
          const volume = volumeProblem(m);
          if (volume !== null) {
            skipped.push({ path: rel, reason: volume });
            continue;
          }
          const missing = [];
          for (const f of m.files) if (!(await fs.exists(posix.join(dir, f.name)))) missing.push(f.name);
          if (missing.length > 0) {
            skipped.push({ path: rel, reason: `missing files: ${missing.join(', ')}` });
            continue;
          }
          found.push({ rel, m });
        } catch (e) {
          skipped.push({ path: rel, reason: toVirtpointError(e).message });
        }
      }
    }
  }
  return found;
}

/** Why a volume point's manifest cannot be used, or null (also for a domain's). */
function volumeProblem(m: PointManifest): string | null {
  const r = m.resource;
  if (r === undefined) return null;
  if (resourceUuid(r.path) !== m.domain.uuid)
    return `its volume ${r.path} is not the file of resource ${m.domain.uuid} (another volume's manifest, or the file was moved)`;
  if (m.chain.diskSet.join(',') !== VOLUME_TARGET)
    return `its disk set ${m.chain.diskSet.join(',')} is not a volume point's (${VOLUME_TARGET})`;
  return null;
}

/** A volume resource to record again, with the time of its newest rebuilt point. */
export interface RebuiltVolume extends NewVolumeResource {
  readonly lastBackupAt: number;
}

/** The records a rebuild would import (nothing is written). */
export async function planRebuild(
  fs: Fs,
  storeRoot: string,
  now: number,
): Promise<{
  domains: { uuid: string; name: string }[];
  chains: ImportedChain[];
  volumes: RebuiltVolume[];
  skipped: UnknownEntry[];
}> {
  const skipped: UnknownEntry[] = [];
  const found = await readManifests(fs, storeRoot, skipped);
  const byChain = new Map<string, Found[]>();
  for (const f of found) byChain.set(f.m.chain.id, [...(byChain.get(f.m.chain.id) ?? []), f]);

  const ids = new Set<string>();
  const names = new Set<string>();
  const domains = new Map<string, { name: string; at: number }>();
  const volumes = new Map<string, RebuiltVolume>();
  const chains: ImportedChain[] = [];
  for (const list of byChain.values()) {
    list.sort((a, b) => a.m.point.seq - b.m.point.seq);
    const head = list[0]!.m;
    const points: Point[] = [];
    for (const { rel, m } of list) {
      const skip = (reason: string) => skipped.push({ path: rel, reason });
      if (JSON.stringify(m.chain) !== JSON.stringify(head.chain) || m.domain.uuid !== head.domain.uuid) {
        skip('its chain record differs from the chain’s other manifests');
      } else if (points.length === 0 && m.point.kind !== 'full') {
        skip('the full point of its chain is missing');
      } else if (points.length > 0 && m.point.parentId !== points.at(-1)!.id) {
        skip(`its parent point ${m.point.parentId ?? '(none)'} was not rebuilt`);
      } else if (ids.has(m.point.id)) skip(`point id ${m.point.id} is used by another manifest`);
      else if (names.has(`${m.domain.uuid}/${m.point.name}`))
        skip(`point name ${m.point.name} is used by another point of the domain`);
      else {
        ids.add(m.point.id);
        names.add(`${m.domain.uuid}/${m.point.name}`);
        points.push(toPoint(m));
        const d = domains.get(m.domain.uuid);
        if (d === undefined || d.at <= m.point.createdAt)
          domains.set(m.domain.uuid, { name: m.domain.name, at: m.point.createdAt });
        const v = volumes.get(m.domain.uuid);
        if (m.resource !== undefined && (v === undefined || v.lastBackupAt <= m.point.createdAt)) {
          const { path, pool, volume, format } = m.resource;
          const label = volumeLabel(m.resource);
          volumes.set(m.domain.uuid, {
            uuid: m.domain.uuid,
            label,
            path,
            pool,
            volume,
            format,
            lastBackupAt: m.point.createdAt,
          });
        }
      }
    }
    if (points.length === 0) continue;
    const owner = chainOwner(head);
    const chain: Chain = {
      id: head.chain.id,
      domainUuid: head.domain.uuid,
      diskSet: head.chain.diskSet,
      maxLength: head.chain.maxLength,
      state: 'open',
      sealReason: null,
      ...owner,
      replaces: null,
      createdAt: head.chain.createdAt,
      sealedAt: null,
    };
    chains.push({ chain, points });
  }
  for (const [uuid, v] of volumes) {
    // the newest point of the volume may be one of a manifest without `resource` (older)
    const newest = domains.get(uuid)!;
    volumes.set(uuid, { ...v, lastBackupAt: Math.max(v.lastBackupAt, newest.at) });
  }
  return {
    // a volume resource's domains row is named by its label, as the volume backup records it
    domains: [...domains].map(([uuid, d]) => ({ uuid, name: volumes.get(uuid)?.label ?? d.name })),
    chains: sealChains(chains, now),
    volumes: [...volumes.values()],
    skipped,
  };
}

/**
 * The chain's owner from its full point's manifest: `task:<id>` → that task (named by the
 * manifest's `ownerName`, else `task:<id>`); `manual` or unknown (older manifests) → manual.
 */
function chainOwner(m: PointManifest): Pick<Chain, 'ownerTaskId' | 'ownerName'> {
  const owner = m.point.owner;
  if (owner === null || !owner.startsWith('task:')) return { ownerTaskId: null, ownerName: null };
  return { ownerTaskId: owner.slice('task:'.length), ownerName: m.point.ownerName ?? owner };
}

function toPoint(m: PointManifest): Point {
  const p = m.point;
  return {
    id: p.id,
    name: p.name,
    domainUuid: m.domain.uuid,
    chainId: m.chain.id,
    seq: p.seq,
    kind: p.kind,
    state: 'available',
    consistency: p.consistency,
    consistencyReason: p.consistencyReason,
    freezeMs: p.freezeMs,
    newChainReason: p.newChainReason,
    trigger: p.trigger,
    createdAt: p.createdAt,
    updatedAt: m.writtenAt,
    error: null,
    disks: m.files.map((f) => ({
      target: f.disk,
      path: `${m.domain.uuid}/${m.chain.id}/${f.name}`,
      virtualSize: f.virtualSize,
      size: f.size,
      format: f.format,
      checkpoint: f.checkpoint,
      fileSize: f.fileSize,
      sha256: f.sha256,
    })),
    verify: { state: 'never', at: null, detail: null },
  };
}

/** Newest chain of each domain + disk set + owner open (unless full); the others sealed. */
function sealChains(chains: ImportedChain[], now: number): ImportedChain[] {
  const groups = new Map<string, ImportedChain[]>();
  for (const c of chains) {
    const key = `${c.chain.domainUuid}/${c.chain.diskSet.join(',')}/${c.chain.ownerTaskId ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  const out: ImportedChain[] = [];
  for (const group of groups.values()) {
    group.sort((a, b) => a.chain.createdAt - b.chain.createdAt || a.chain.id.localeCompare(b.chain.id));
    group.forEach((c, i) => {
      const next = group[i + 1];
      const full = c.points.length >= c.chain.maxLength;
      const reason: NewChainReason | null = next
        ? (next.points[0]?.newChainReason ?? 'chain-sealed')
        : full
          ? 'chain-full'
          : null;
      out.push({
        points: c.points,
        chain: {
          ...c.chain,
          state: reason === null ? 'open' : 'sealed',
          sealReason: reason,
          sealedAt: reason === null ? null : (next?.chain.createdAt ?? now),
        },
      });
    });
  }
  return out;
}

/** Rebuilds an empty catalog from the manifests (INVALID_STATE when it is not empty). */
export async function rebuildCatalog(deps: RebuildDeps): Promise<RebuildReport> {
  const { catalog, log } = deps;
  const refuse = () =>
    new VirtpointError(
      'INVALID_STATE',
      'the catalog already holds chains or points; catalog rebuild only fills an empty catalog ' +
        '(stop virtpointd and move the catalog files aside first: docs/recovery.md)',
    );
  if (!catalog.recovery.isEmpty()) throw refuse();
  const plan = await planRebuild(deps.fs, deps.storeRoot, (deps.now ?? Date.now)());
  catalog.transaction(() => {
    catalog.recovery.importChains(plan.domains, plan.chains);
    for (const { lastBackupAt, ...v } of plan.volumes) {
      deps.resources.upsert(v);
      deps.resources.touch(v.uuid, lastBackupAt);
    }
  });
  const points = plan.chains
    .flatMap((c) => c.points)
    .sort((a, b) => a.createdAt - b.createdAt || a.seq - b.seq)
    .map((p) => p.id);
  const report = { domains: plan.domains.length, chains: plan.chains.length, points, skipped: plan.skipped };
  log.warn(
    {
      domains: report.domains,
      volumes: plan.volumes.length,
      chains: report.chains,
      points: points.length,
      skipped: plan.skipped,
    },
    'catalog rebuilt from the point manifests in the store',
  );
  return report;
}
