import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { isVirtpointError, toVirtpointError } from '../../core/errors.js';
import {
  MANIFEST_FORMAT,
  MANIFEST_VERSION,
  manifestFileName,
  parseManifest,
  serializeManifest,
  type ManifestVolumeResource,
  type PointManifest,
} from '../../core/manifest.js';
import { newId, type RandomBytes } from '../../core/names.js';
import { chainDir, relativeBackingPath, resolveStorePath, STORE_FILE_MODE } from '../../core/store-layout.js';
import type { Catalog, Point } from '../../ports/catalog.js';
import type { Clock, Fs } from '../../ports/fs.js';
import type { Logger } from '../../ports/logger.js';
import type { VolumeResourceCatalog } from '../../ports/volume-resources.js';

/**
 * Writes, rewrites and removes point manifests (core/manifest.ts) in the store. A manifest is
 * written atomically: a temp file `.<seq>.manifest.json.virtpoint-tmp-<id>` (the daemon's own
 * marker: reconcile removes such leftovers), fsync, rename over the final name, fsync of the
 * directory. Files are 0600 like the disk files.
 *
 * A failed write never fails the backup or delete that asked for it (the point's data is fine):
 * it is logged at error, `virtpoint doctor` reports the point as lacking a manifest, and the
 * reconciliation on the next start writes the manifests that are missing.
 *
 * A volume point's manifest holds its `resource` (core/manifest.ts): from the volume_resources
 * record when `resources` is given, else the one of the manifest already there (a rewrite keeps it).
 */

export interface ManifestDeps {
  readonly catalog: Catalog;
  readonly fs: Fs;
  readonly log: Logger;
  readonly storeRoot: string;
  readonly clock?: Clock;
  readonly random?: RandomBytes;
  /** The detached volumes' records: a volume point's manifest names its volume. */
  readonly resources?: Pick<VolumeResourceCatalog, 'get'>;
}

/** Absolute path of a point's manifest. */
export function manifestPath(
  storeRoot: string,
  point: Pick<Point, 'domainUuid' | 'chainId' | 'seq'>,
): string {
  return resolveStorePath(
    storeRoot,
    `${chainDir(point.domainUuid, point.chainId)}/${manifestFileName(point.seq)}`,
  );
}

/** The point whose files `point`'s files back onto: the newest usable point before it. */
function parentOf(catalog: Catalog, point: Point): Point | null {
  if (point.kind === 'full') return null;
  const before = catalog
    .listPoints({ chainId: point.chainId })
    .filter((p) => p.seq < point.seq && p.state !== 'error' && p.id !== point.id);
  return before.sort((a, b) => b.seq - a.seq)[0] ?? null;
}

/** The manifest of a point as the catalog records it now. */
export function buildManifest(
  catalog: Catalog,
  point: Point,
  extra: { xml: string | null; writtenAt: number; resource?: ManifestVolumeResource | null },
): PointManifest {
  const chain = catalog.getChain(point.chainId);
  // The owner is the chain's: a task (`task:<id>`, with its name) or manual backups.
  const taskId = chain?.ownerTaskId ?? null;
  const domain = catalog.getDomain(point.domainUuid);
  const parent = parentOf(catalog, point);
  return {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    writtenAt: extra.writtenAt,
    domain: { uuid: point.domainUuid, name: domain?.name ?? point.domainUuid, xml: extra.xml },
    ...(extra.resource == null ? {} : { resource: extra.resource }),
    chain: {
      id: point.chainId,
      diskSet: chain?.diskSet ?? point.disks.map((d) => d.target),
      maxLength: chain?.maxLength ?? 30,
      createdAt: chain?.createdAt ?? point.createdAt,
    },
    point: {
      id: point.id,
      name: point.name,
      seq: point.seq,
      kind: point.kind,
      parentId: parent?.id ?? null,
      owner: chain === null ? null : taskId === null ? 'manual' : `task:${taskId}`,
      ...(taskId === null ? {} : { ownerName: chain?.ownerName ?? null }),
      trigger: point.trigger,
      consistency: point.consistency,
      consistencyReason: point.consistencyReason,
      freezeMs: point.freezeMs,
      newChainReason: point.newChainReason,
      createdAt: point.createdAt,
    },
    files: point.disks.map((d) => ({
      disk: d.target,
      name: posix.basename(d.path),
      format: d.format,
      virtualSize: d.virtualSize,
      size: d.size,
      backingFile: parent === null ? null : relativeBackingPath(d.target, parent.seq),
      checkpoint: d.checkpoint,
      sha256: d.sha256,
      fileSize: d.fileSize,
    })),
  };
}

/** The manifest's `resource` of a volume from its catalog record; null for a domain or without `resources`. */
function volumeResource(deps: ManifestDeps, uuid: string): ManifestVolumeResource | null {
  const r = deps.resources?.get(uuid) ?? null;
  return r === null
    ? null
    : { kind: 'volume', path: r.path, pool: r.pool, volume: r.volume, format: r.format };
}

/** Writes `text` to `path` atomically (temp + fsync + rename + fsync dir). */
export async function writeFileAtomic(deps: ManifestDeps, path: string, text: string): Promise<void> {
  const { fs } = deps;
  const dir = posix.dirname(path);
  const tmp = posix.join(dir, `.${posix.basename(path)}.virtpoint-tmp-${newId(deps.random ?? randomBytes)}`);
  try {
    await fs.writeFile(tmp, text, STORE_FILE_MODE);
    await fs.fsyncFile(tmp);
    await fs.rename(tmp, path);
  } catch (e) {
    await fs.removeFile(tmp).catch(() => undefined);
    throw e;
  }
  await fs.fsyncDir(dir);
}

/** Reads and validates a manifest file; null when it does not exist. Throws INVALID_ARGUMENT when bad. */
export async function readManifest(fs: Fs, path: string): Promise<PointManifest | null> {
  let text: string;
  try {
    text = await fs.readFile(path);
  } catch (e) {
    if (isVirtpointError(e, 'NOT_FOUND')) return null;
    throw e;
  }
  return parseManifest(text, path);
}

/**
 * Writes the manifest of a point (after its backup, or when a merge or synthetic full changed
 * it). `xml`: the domain XML now; when undefined the XML of the manifest already there is kept.
 * The owner is always the chain's. Never throws: a failure is logged and returns false.
 */
export async function writePointManifest(
  deps: ManifestDeps,
  pointId: string,
  opts: { xml?: string | null } = {},
): Promise<boolean> {
  const { catalog, log, storeRoot } = deps;
  const point = catalog.getPoint(pointId);
  if (point === null) return false;
  try {
    const path = manifestPath(storeRoot, point);
    // A rewrite (no xml given) keeps what only the manifest there knows; a first write has none.
    const old = opts.xml === undefined ? await readManifest(deps.fs, path).catch(() => null) : null;
    const xml = opts.xml === undefined ? (old?.domain.xml ?? null) : opts.xml;
    const now = deps.clock?.now() ?? Date.now();
    const resource = volumeResource(deps, point.domainUuid) ?? old?.resource ?? null;
    const manifest = buildManifest(catalog, point, { xml, writtenAt: now, resource });
    await writeFileAtomic(deps, path, serializeManifest(manifest));
    return true;
  } catch (e) {
    log.error(
      { point: pointId, err: toVirtpointError(e).message },
      'could not write the point manifest (virtpoint doctor reports it; the next start writes it)',
    );
    return false;
  }
}

/** Removes a point's manifest (with its files); no error when it is gone. */
export async function removePointManifest(
  deps: Pick<ManifestDeps, 'fs' | 'storeRoot'>,
  point: Pick<Point, 'domainUuid' | 'chainId' | 'seq'>,
): Promise<void> {
  await deps.fs.removeFile(manifestPath(deps.storeRoot, point));
}

/**
 * The hook of the backup flow (service/backup/backup.ts), right after the point became
 * `available`: the manifest with the domain's XML now (libvirt leaves secrets out of it).
 */
export async function writeBackupManifest(
  deps: ManifestDeps & { readonly hypervisor: { getDomainXml(uuid: string): Promise<string> } },
  point: Point,
): Promise<boolean> {
  const xml = await deps.hypervisor.getDomainXml(point.domainUuid).catch((e: unknown) => {
    deps.log.warn({ point: point.id, err: String(e) }, 'no domain XML for the manifest');
    return null;
  });
  return writePointManifest(deps, point.id, { xml });
}
