import { VirtpointError } from '../../core/errors.js';
import { canonicalDiskSet, validateDiskTarget } from '../../core/names.js';
import type { DiskInfo, DomainInfo, Hypervisor } from '../../ports/hypervisor.js';
import { sourceDisk, type RestoreSource } from './source.js';

/** Which point disk goes onto which domain disk in a rollback, checked before anything is done. */

export interface RollbackDiskPlan {
  /** The point's disk (target at backup time). */
  readonly source: string;
  /** The domain disk written over. */
  readonly target: string;
  /** Absolute path of the point's file (its backing chain is followed). */
  readonly sourceFile: string;
  /** Virtual size of the disk at the point. */
  readonly virtualSize: number;
  /** The domain disk's file, replaced by the rollback. */
  readonly targetPath: string;
  readonly targetFormat: 'qcow2' | 'raw';
  /** The domain disk's capacity now. */
  readonly capacity: number;
}

export interface RollbackSelection {
  /** Point disks to restore; every disk of the point when omitted. */
  readonly disks?: readonly string[] | undefined;
  /** Point disk → another disk of the domain. */
  readonly map?: Readonly<Record<string, string>> | undefined;
}

/**
 * The domain's system disk: the disk (`device="disk"`) with the lowest boot order when the XML
 * gives boot orders, else the first disk in XML order. Null when the domain has no disk.
 */
export function systemDisk(domain: DomainInfo): string | null {
  const disks = domain.disks.filter((d) => d.device === 'disk');
  const booted = disks
    .filter((d): d is DiskInfo & { bootOrder: number } => d.bootOrder !== null)
    .sort((a, b) => a.bootOrder - b.bootOrder);
  return (booted[0] ?? disks[0])?.target ?? null;
}

function targetDisk(domain: DomainInfo, target: string): DiskInfo & { sourcePath: string } {
  const disk = domain.disks.find((d) => d.target === target && d.device === 'disk');
  if (disk === undefined) {
    const known = domain.disks.filter((d) => d.device === 'disk').map((d) => d.target);
    throw new VirtpointError(
      'DISK_NOT_FOUND',
      `domain ${domain.name} has no disk ${target} (disks: ${known.join(', ') || 'none'})`,
    );
  }
  if (disk.sourceType !== 'file' || disk.sourcePath === null) {
    throw new VirtpointError(
      'INVALID_ARGUMENT',
      `disk ${target} of domain ${domain.name} is not a file (${disk.sourceType}); rollback replaces disk files only`,
    );
  }
  return disk as DiskInfo & { sourcePath: string };
}

/** The plan for `point`'s disks (a local or a fetched remote point: restore/source.ts). */
export async function planRollback(
  hv: Hypervisor,
  domain: DomainInfo,
  point: RestoreSource,
  sel: RollbackSelection,
): Promise<RollbackDiskPlan[]> {
  const sources =
    sel.disks === undefined ? point.disks.map((d) => d.target) : canonicalDiskSet([...sel.disks]);
  for (const s of sources) sourceDisk(point, s);
  const map = new Map<string, string>();
  for (const [from, to] of Object.entries(sel.map ?? {})) {
    validateDiskTarget(from);
    validateDiskTarget(to);
    if (!sources.includes(from)) {
      throw new VirtpointError(
        'INVALID_ARGUMENT',
        `map ${from}=${to}: ${from} is not among the disks restored (${sources.join(', ')})`,
      );
    }
    map.set(from, to);
  }
  const system = systemDisk(domain);
  const seen = new Map<string, string>();
  const plan: RollbackDiskPlan[] = [];
  for (const source of sources) {
    const pd = sourceDisk(point, source);
    const target = map.get(source) ?? source;
    const other = seen.get(target);
    if (other !== undefined) {
      throw new VirtpointError(
        'INVALID_ARGUMENT',
        `disks ${other} and ${source} would both be written onto ${target}`,
      );
    }
    seen.set(target, source);
    const disk = targetDisk(domain, target);
    if (disk.format !== 'qcow2' && disk.format !== 'raw') {
      throw new VirtpointError(
        'INVALID_ARGUMENT',
        `disk ${target} of domain ${domain.name} is ${disk.format ?? 'of unknown format'}; rollback writes qcow2 or raw`,
      );
    }
    if (target !== source && target === system) {
      throw new VirtpointError(
        'INVALID_ARGUMENT',
        `${source} is a data disk of the point; it cannot go onto the system disk ${target} of domain ${domain.name}`,
      );
    }
    const capacity = (await hv.getBlockInfo(domain.uuid, target)).capacity;
    if (target !== source && capacity < pd.virtualSize) {
      throw new VirtpointError(
        'INVALID_ARGUMENT',
        `disk ${target} holds ${capacity} bytes; the point's disk ${source} needs ${pd.virtualSize} bytes`,
      );
    }
    plan.push({
      source,
      target,
      sourceFile: pd.file,
      virtualSize: pd.virtualSize,
      targetPath: disk.sourcePath,
      targetFormat: disk.format,
      capacity,
    });
  }
  return plan;
}
