/**
 * Waits until QEMU has let go of a backup's target files. libvirt reports the end of a push
 * backup (the job-completed event, the completed job's stats) before it detaches the targets
 * from QEMU, and QEMU writes its cached qcow2 metadata (L2 tables, refcounts) only when it
 * flushes or closes a target. A checksum read in between would record bytes the file no longer
 * has once QEMU closes it — and every later verify would call a good point corrupt. QEMU locks
 * each image it opens (OFD locks), so a target without a lock is one QEMU has closed.
 */

import { VirtpointError } from '../../core/errors.js';
import type { Clock, Fs } from '../../ports/fs.js';

export const RELEASE_POLL_MS = 10;
export const RELEASE_TIMEOUT_MS = 60_000;

export async function targetsReleased(
  deps: { readonly fs: Fs; readonly clock: Clock },
  paths: readonly string[],
  signal?: AbortSignal,
): Promise<void> {
  const deadline = deps.clock.now() + RELEASE_TIMEOUT_MS;
  for (const path of paths) {
    while ((await deps.fs.locksHeld(path)) > 0) {
      if (signal?.aborted === true) throw new VirtpointError('JOB_CANCELED', 'the backup was canceled');
      if (deps.clock.now() >= deadline) {
        throw new VirtpointError(
          'JOB_FAILED',
          `QEMU still holds ${path} ${RELEASE_TIMEOUT_MS / 1000} s after the backup job ended; ` +
            'its checksum cannot be trusted, so the point is discarded: back up again',
        );
      }
      await deps.clock.sleep(RELEASE_POLL_MS, signal);
    }
  }
}
