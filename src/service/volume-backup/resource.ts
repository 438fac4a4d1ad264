/**
 * A detached volume as a backup resource (docs/backup-engine.md "Detached volumes"): a libvirt
 * storage volume `POOL/VOL` or a qcow2/raw file under allowed_volume_dirs, attached to no
 * domain. Its points and chains are keyed by a resource UUID where a domain's are keyed by the
 * domain UUID: UUID v5 of the volume's canonical path, so `--volume POOL/VOL` and
 * `--volume-path FILE` of the same file are one resource with one chain (its bitmaps live in
 * that file).
 */

import { createHash } from 'node:crypto';
import { posix } from 'node:path';

import { VirtpointError } from '../../core/errors.js';
import type { VolumeRef } from '../../core/volume-ref.js';
import type { DiskInfo, Hypervisor } from '../../ports/hypervisor.js';
import type { ImageTool } from '../../ports/image-tool.js';

/** The one disk target of a volume point (`<store>/<uuid>/<chain>/vol.<seq>.qcow2`). */
export const VOLUME_TARGET = 'vol';

/** UUID v5 namespace of virtpoint volume resources (fixed; changing it would orphan chains). */
const NAMESPACE = '6f1c2a6e-3b7d-5e0a-9c4b-2d8e1f7a9b30';

/** RFC 4122 UUID v5 (SHA-1) of `name` in `namespace`. */
export function uuidV5(namespace: string, name: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const h = createHash('sha1').update(ns).update(name, 'utf8').digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export { parsePoolVolume, type VolumeRef } from '../../core/volume-ref.js';

export const resourceUuid = (canonicalPath: string) => uuidV5(NAMESPACE, `path:${canonicalPath}`);

export interface ResolvedVolume {
  readonly uuid: string;
  readonly label: string;
  readonly path: string;
  readonly pool: string | null;
  readonly volume: string | null;
  readonly format: 'qcow2' | 'raw';
  readonly virtualSize: number;
  readonly actualSize: number;
  readonly bitmaps: readonly { readonly name: string; readonly flags: readonly string[] }[];
}

export interface ResourceDeps {
  readonly hypervisor: Pick<Hypervisor, 'listDomainDisks'>;
  readonly imageTool: Pick<ImageTool, 'info'>;
  /** The path of a libvirt storage volume (POOL_NOT_FOUND / VOLUME_NOT_FOUND). */
  readonly volumePath: (pool: string, volume: string) => Promise<string>;
  /** realpath(3): NOT_FOUND when the file does not exist. */
  readonly realPath: (path: string) => Promise<string>;
  /** Canonical directories a `--volume-path` file may be in (allowed_volume_dirs). */
  readonly allowedDirs: readonly string[];
}

/** Finds the volume, its format and bitmaps; refuses a file outside the allowed directories. */
export async function resolveVolume(deps: ResourceDeps, ref: VolumeRef): Promise<ResolvedVolume> {
  let path: string;
  if ('path' in ref) {
    if (!posix.isAbsolute(ref.path))
      throw new VirtpointError('INVALID_ARGUMENT', `volume path ${JSON.stringify(ref.path)} is not absolute`);
    path = await deps.realPath(ref.path);
    const dir = posix.dirname(path);
    if (!deps.allowedDirs.some((d) => dir === d || dir.startsWith(d.endsWith('/') ? d : `${d}/`))) {
      const dirs = deps.allowedDirs.join(', ') || 'none';
      throw new VirtpointError(
        'INVALID_ARGUMENT',
        `${path} is not under allowed_volume_dirs (${dirs}); add its directory there, or name ` +
          `a libvirt storage volume with --volume POOL/VOL`,
      );
    }
  } else {
    path = await deps.realPath(await deps.volumePath(ref.pool, ref.volume));
  }
  const info = await deps.imageTool.info(path);
  if (info.format !== 'qcow2' && info.format !== 'raw')
    throw new VirtpointError('INVALID_ARGUMENT', `${path} is ${info.format}, not qcow2 or raw`);
  if (info.backingFile !== null)
    throw new VirtpointError(
      'INVALID_ARGUMENT',
      `${path} has a backing file (${info.backingFile}); only standalone volumes are backed up on their own`,
    );
  return {
    uuid: resourceUuid(path),
    label: 'path' in ref ? path : `${ref.pool}/${ref.volume}`,
    path,
    pool: 'path' in ref ? null : ref.pool,
    volume: 'path' in ref ? null : ref.volume,
    format: info.format,
    virtualSize: info.virtualSize,
    actualSize: info.actualSize,
    bitmaps: info.bitmaps,
  };
}

/** The volume_resources record of a resolved volume. */
export const resourceRecord = (v: ResolvedVolume) => ({
  uuid: v.uuid,
  label: v.label,
  path: v.path,
  pool: v.pool,
  volume: v.volume,
  format: v.format,
});

/**
 * IN_USE when a domain uses the volume: a running one (live XML) naming it; a domain whose
 * persistent definition holds it as a disk — shut off, or attached with `--config` — saying the
 * disk is backed up through that domain.
 */
export async function assertDetached(
  hv: Pick<Hypervisor, 'listDomainDisks'>,
  v: Pick<ResolvedVolume, 'path' | 'pool' | 'volume' | 'label'>,
): Promise<void> {
  const uses = (disks: readonly DiskInfo[]) =>
    disks.find(
      (d) =>
        (d.sourcePath !== null && posix.normalize(d.sourcePath) === v.path) ||
        (v.pool !== null && d.sourceVolume?.pool === v.pool && d.sourceVolume.volume === v.volume),
    );
  const all = await hv.listDomainDisks();
  const running = all.filter((d) => uses(d.live)).map((d) => d.name);
  if (running.length > 0)
    throw new VirtpointError(
      'IN_USE',
      `volume ${v.label} is attached to the running domain ${running.join(', ')}; detach it ` +
        `(virsh detach-disk DOMAIN TARGET --live --config) or back it up with that domain`,
      { details: { domains: running } },
    );
  const defined = all.flatMap((d) => {
    const disk = uses(d.persistent);
    return disk ? [`${d.name} (disk ${disk.target})`] : [];
  });
  if (defined.length > 0)
    throw new VirtpointError(
      'IN_USE',
      `volume ${v.label} is a disk of the domain ${defined.join(', ')}: it is backed up through ` +
        `that domain (virtpoint backup DOMAIN --disk TARGET), or detach it from the definition first`,
      { details: { domains: defined } },
    );
}
