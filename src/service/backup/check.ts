import { VirtpointError } from '../../core/errors.js';
import { validateChainLength, validateQuiesce } from '../../core/limits.js';
import { canonicalDiskSet, validatePointName } from '../../core/names.js';
import type { Quiesce } from '../../contract/index.js';
import type { Catalog, ChainOwner, Trigger } from '../../ports/catalog.js';
import type { DiskInfo, DomainInfo, Hypervisor } from '../../ports/hypervisor.js';
import { selectDisks } from './plan.js';

/** A backup request (BackupService.backup, submitBackup). */
export interface BackupRequest {
  /** Name or UUID. */
  readonly domain: string;
  /** Disk targets; all disks of the domain when omitted. */
  readonly disks?: readonly string[];
  readonly full?: boolean;
  readonly name?: string;
  readonly quiesce?: Quiesce;
  readonly chainLength?: number;
  readonly trigger?: Trigger;
  /**
   * Whose chains the backup continues and whose chain it opens: a task (set only by the
   * scheduling room, never from an API client), or null / absent: manual backups.
   */
  readonly owner?: ChainOwner;
}

/** What checkBackup found: the domain, the selected disks (sorted), their canonical set. */
export interface CheckedBackup {
  readonly domain: DomainInfo;
  readonly disks: readonly DiskInfo[];
  readonly diskSet: readonly string[];
  readonly quiesce: Quiesce;
}

/**
 * Everything about a backup that can be checked without changing anything: quiesce mode, chain
 * length, the custom name (valid and not taken on the domain), the domain, its disks. Run once
 * when a backup is submitted (bad input → 4xx, nothing queued) and once more under the domain's
 * lock (things may have changed while the job waited).
 */
export async function checkBackup(
  deps: { readonly hypervisor: Pick<Hypervisor, 'lookupDomain'>; readonly catalog: Catalog },
  req: BackupRequest,
): Promise<CheckedBackup> {
  const quiesce = validateQuiesce(req.quiesce);
  validateChainLength(req.chainLength);
  if (req.name !== undefined) validatePointName(req.name);
  const domain = await deps.hypervisor.lookupDomain(req.domain);
  const disks = selectDisks(domain, req.disks);
  if (req.name !== undefined && deps.catalog.getPointByName(domain.uuid, req.name) !== null) {
    throw new VirtpointError('ALREADY_EXISTS', `domain ${domain.name} already has a point named ${req.name}`);
  }
  return { domain, disks, diskSet: canonicalDiskSet(disks.map((d) => d.target)), quiesce };
}
