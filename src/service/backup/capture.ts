import { VirtpointError, toVirtpointError } from '../../core/errors.js';
import type { Consistency } from '../../ports/catalog.js';
import type { Clock } from '../../ports/fs.js';
import type { BackupSpec, Hypervisor } from '../../ports/hypervisor.js';
import type { Logger } from '../../ports/logger.js';
import type { Quiesce } from '../../contract/index.js';

/**
 * The critical section of a backup: freeze the guest filesystems (agent, with a timeout), start
 * the backup job with its checkpoint for all disks in one call, and thaw in `finally`. The
 * freeze window is measured from the freeze request to the end of the thaw.
 */

export type { Quiesce };

export interface CaptureInput {
  readonly uuid: string;
  readonly spec: BackupSpec;
  readonly quiesce: Quiesce;
  /** The domain was started paused for this backup: nothing runs in it, nothing to freeze. */
  readonly offline: boolean;
  readonly hasAgentChannel: boolean;
  readonly freezeTimeoutMs: number;
}

export interface CaptureResult {
  readonly consistency: Consistency;
  /** Why the point is only crash-consistent; null otherwise. */
  readonly consistencyReason: string | null;
  readonly freezeMs: number | null;
}

export async function capture(
  hv: Hypervisor,
  clock: Clock,
  log: Logger,
  input: CaptureInput,
): Promise<CaptureResult> {
  const { uuid } = input;
  if (input.offline) {
    await hv.beginBackup(uuid, input.spec);
    return { consistency: 'offline', consistencyReason: null, freezeMs: null };
  }
  if (input.quiesce === 'off') {
    await hv.beginBackup(uuid, input.spec);
    return { consistency: 'crash', consistencyReason: 'quiesce off', freezeMs: null };
  }
  if (!input.hasAgentChannel) {
    const reason = 'the domain has no guest agent channel (org.qemu.guest_agent.0)';
    if (input.quiesce === 'required') {
      throw new VirtpointError(
        'AGENT_UNAVAILABLE',
        `cannot quiesce: ${reason}; add the channel or use quiesce auto/off`,
      );
    }
    await hv.beginBackup(uuid, input.spec);
    return { consistency: 'crash', consistencyReason: reason, freezeMs: null };
  }

  const start = clock.now();
  let frozen = false;
  let freezeError: VirtpointError | null = null;
  try {
    await hv.freezeFilesystems(uuid, input.freezeTimeoutMs);
    frozen = true;
  } catch (e) {
    freezeError = toVirtpointError(e);
  }
  try {
    if (freezeError !== null) {
      if (input.quiesce === 'required') {
        throw new VirtpointError(
          freezeError.code === 'LIBVIRT_TIMEOUT' ? 'FREEZE_TIMEOUT' : 'AGENT_UNAVAILABLE',
          `cannot quiesce the guest filesystems: ${freezeError.message}`,
          { cause: freezeError },
        );
      }
      log.warn(
        { uuid, err: freezeError.message, code: freezeError.code },
        'freeze failed; backup is crash-consistent',
      );
    }
    await hv.beginBackup(uuid, input.spec);
  } finally {
    // Thaw even when the freeze reported a failure or a timeout: the agent may have frozen some
    // filesystems before giving up. A guest must never be left frozen.
    await thaw(hv, log, uuid, input.freezeTimeoutMs, frozen);
  }
  const freezeMs = clock.now() - start;
  if (freezeError !== null) {
    return {
      consistency: 'crash',
      consistencyReason: `freeze failed: ${freezeError.message}`,
      freezeMs: null,
    };
  }
  return { consistency: 'filesystem', consistencyReason: null, freezeMs };
}

async function thaw(
  hv: Hypervisor,
  log: Logger,
  uuid: string,
  timeoutMs: number,
  frozen: boolean,
): Promise<void> {
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      await hv.thawFilesystems(uuid, timeoutMs);
      return;
    } catch (e) {
      const err = toVirtpointError(e);
      // Nothing was frozen and the agent is gone: nothing to thaw.
      if (!frozen && err.code === 'AGENT_UNAVAILABLE') return;
      log.error(
        { uuid, attempt, code: err.code, err: err.message },
        'THAW FAILED: the guest filesystems may still be frozen',
      );
    }
  }
}
