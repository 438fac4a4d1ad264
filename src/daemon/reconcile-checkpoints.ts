import { isVirtpointError } from '../core/errors.js';
import type { BackupDeps } from '../service/backup/deps.js';
import { removeFailedCheckpoints } from '../service/backup/checkpoints.js';

/**
 * On start, after the interrupted backups are undone: the checkpoints that failed backups left
 * in libvirt (the job failed while the domain or libvirtd was gone, so the delete failed too)
 * are removed for every domain of the catalog (service/backup/checkpoints.ts says which are
 * ours). Returns `<domain uuid>/<checkpoint>` for each one removed.
 */
export async function reconcileCheckpoints(deps: BackupDeps): Promise<string[]> {
  const removed: string[] = [];
  let present: Set<string>;
  try {
    present = new Set((await deps.hypervisor.listDomains()).map((d) => d.uuid));
  } catch (e) {
    if (!isVirtpointError(e, 'LIBVIRT_DISCONNECTED')) throw e;
    deps.log.warn({ err: e.message }, 'libvirtd gone: checkpoints of failed backups are removed later');
    return removed;
  }
  for (const d of deps.catalog.listDomains()) {
    if (!present.has(d.uuid)) continue;
    for (const name of await removeFailedCheckpoints(deps, d.uuid)) removed.push(`${d.uuid}/${name}`);
  }
  return removed;
}
