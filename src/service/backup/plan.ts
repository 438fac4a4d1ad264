import { VirtpointError } from '../../core/errors.js';
import type { BitmapState, ChainView, CurrentDisk } from '../../core/chain-decision.js';
import { canonicalDiskSet, validateDiskTarget } from '../../core/names.js';
import type { Catalog, Chain } from '../../ports/catalog.js';
import type { CheckpointInfo, DiskInfo, DomainInfo, Hypervisor } from '../../ports/hypervisor.js';
import type { ImageTool } from '../../ports/image-tool.js';

/** What a backup looks at before deciding: the selected disks, their sizes, the chain, the bitmaps. */

/** Disks a backup may copy: `device="disk"` with a file or block source. */
export function backupableDisks(domain: DomainInfo): DiskInfo[] {
  return domain.disks.filter((d) => d.device === 'disk' && d.sourcePath !== null);
}

/** The selected disks (all backupable disks when `targets` is undefined), sorted by target. */
export function selectDisks(domain: DomainInfo, targets: readonly string[] | undefined): DiskInfo[] {
  const candidates = backupableDisks(domain);
  if (targets === undefined) {
    if (candidates.length === 0) {
      throw new VirtpointError('INVALID_STATE', `domain ${domain.name} has no disk that can be backed up`);
    }
    return candidates.sort((a, b) => a.target.localeCompare(b.target));
  }
  if (targets.length === 0) throw new VirtpointError('INVALID_ARGUMENT', 'the disk list is empty');
  const wanted = canonicalDiskSet(targets.map(validateDiskTarget));
  return wanted.map((t) => {
    const disk = candidates.find((d) => d.target === t);
    if (disk === undefined) {
      const known = candidates.map((d) => d.target).join(', ') || 'none';
      throw new VirtpointError(
        'DISK_NOT_FOUND',
        `domain ${domain.name} has no disk ${t} to back up (disks: ${known})`,
      );
    }
    return disk;
  });
}

export async function currentDisks(
  hv: Hypervisor,
  uuid: string,
  disks: readonly DiskInfo[],
): Promise<CurrentDisk[]> {
  const out: CurrentDisk[] = [];
  for (const d of disks) {
    const info = await hv.getBlockInfo(uuid, d.target);
    out.push({ target: d.target, format: d.format, capacity: info.capacity });
  }
  return out;
}

/**
 * The chain a backup of this disk set continues, among the chains of its owner only (a task id;
 * null: manual backups): the newest chain of exactly this set; for a whole-domain backup with
 * none, the owner's newest open chain of the domain that shares a disk with the set (a disk was
 * added or removed: the decision then says `disk-set-changed`). Another owner's chains are never
 * continued: each owner has its own checkpoints (docs/backup-engine.md "Chains per owner").
 */
export function chainToContinue(
  catalog: Catalog,
  uuid: string,
  diskSet: readonly string[],
  wholeDomain: boolean,
  owner: string | null = null,
): Chain | null {
  const exact = catalog.getLatestChain(uuid, diskSet, owner);
  if (exact !== null || !wholeDomain) return exact;
  const open = catalog.listChains({ domainUuid: uuid, state: 'open', owner }).reverse();
  return open.find((c) => c.diskSet.some((t) => diskSet.includes(t))) ?? null;
}

export function chainView(catalog: Catalog, chain: Chain | null): ChainView | null {
  if (chain === null) return null;
  const points = catalog.listPoints({ chainId: chain.id });
  return { id: chain.id, state: chain.state, sealReason: chain.sealReason, diskSet: chain.diskSet, points };
}

/**
 * Bitmap state per disk, from the qcow2 files: only knowable while no QEMU holds them open (the
 * domain is shut off). A bitmap QEMU did not close cleanly (SIGKILL, host crash) keeps its
 * `in-use` flag: inconsistent. A running domain's bitmaps are `unknown` here; libvirt refuses an
 * incremental on a bad bitmap and the backup then starts a new chain.
 */
export async function bitmapStates(
  images: ImageTool,
  disks: readonly DiskInfo[],
  checkpoint: CheckpointInfo | undefined,
  domainRunning: boolean,
): Promise<Record<string, BitmapState>> {
  const out: Record<string, BitmapState> = {};
  if (checkpoint === undefined || domainRunning) return out;
  for (const d of disks) {
    if (d.format !== 'qcow2' || d.sourcePath === null) continue;
    const bitmapName = checkpoint.disks.find((c) => c.target === d.target)?.bitmap ?? checkpoint.name;
    const info = await images.info(d.sourcePath);
    const bitmap = info.bitmaps.find((b) => b.name === bitmapName);
    out[d.target] =
      bitmap === undefined ? 'missing' : bitmap.flags.includes('in-use') ? 'inconsistent' : 'ok';
  }
  return out;
}
