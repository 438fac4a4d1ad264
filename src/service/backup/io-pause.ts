import { isVirtpointError } from '../../core/errors.js';
import type { BackupDeps } from './deps.js';

/**
 * A push-mode backup puts QEMU's copy-before-write filter in front of each disk: a guest write to
 * a block the job has not copied yet first copies the old data into the point's file. When that
 * copy fails (the store is full, its disk failed), QEMU fails the guest's write (libvirt leaves
 * `on-cbw-error` at break-guest-write) and the disk's error policy (werror=enospc by default)
 * pauses the VM: a full store would stop the production VM it protects.
 *
 * Called once the failed job has ended (its filter is gone): a domain that was running when the
 * backup began and is now paused for an I/O error is resumed, and QEMU re-issues the held writes
 * straight to the VM's own disk. If that disk is itself what is full, QEMU pauses it again, as it
 * would have without us. Also run by the reconciliation for each backup a killed daemon left
 * (daemon/reconcile.ts), whose job it aborts first. Never throws; returns whether it resumed.
 */
export async function resumeAfterFailedJob(deps: BackupDeps, uuid: string, name: string): Promise<boolean> {
  const { hypervisor: hv, log } = deps;
  try {
    if ((await hv.pausedReason(uuid)) !== 'ioerror') return false;
    await hv.resumeDomain(uuid);
    log.warn(
      { uuid, domainName: name },
      `${name} was paused by QEMU when the failed backup could not write its copy of a block the guest was writing; resumed it`,
    );
    return true;
  } catch (e) {
    if (isVirtpointError(e, 'DOMAIN_NOT_FOUND')) return false;
    log.error(
      { uuid, domainName: name, err: String(e) },
      `${name} may be paused after the failed backup (I/O error); check virsh domstate --reason and resume it`,
    );
    return false;
  }
}
