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
  /** The freeze-state check to make after the job (checkThawed); null when nothing was frozen. */
  readonly check: { readonly timeoutMs: number; readonly thawTimeoutMs: number } | null;
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
    return { consistency: 'offline', consistencyReason: null, freezeMs: null, check: null };
  }
  if (input.quiesce === 'off') {
    await hv.beginBackup(uuid, input.spec);
    return { consistency: 'crash', consistencyReason: 'quiesce off', freezeMs: null, check: null };
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
    return { consistency: 'crash', consistencyReason: reason, freezeMs: null, check: null };
  }

  // The freeze timeout bounds the whole attempt: freeze, the thaw after a failed freeze, and the
  // freeze-state check after the job. Each agent call gets its share as its own timeout (the
  // adapter hands it to libvirt as the agent's), so a hung agent costs at most the timeout.
  const total = input.freezeTimeoutMs;
  const reserve = Math.min(1000, Math.floor(total / 4));
  const start = clock.now();
  let frozen = false;
  let freezeError: VirtpointError | null = null;
  try {
    await hv.freezeFilesystems(uuid, total - 2 * reserve);
    frozen = true;
  } catch (e) {
    freezeError = toVirtpointError(e);
  }
  let thawed = false;
  try {
    if (freezeError !== null) {
      if (input.quiesce === 'required') {
        throw new VirtpointError(
          freezeError.code === 'LIBVIRT_TIMEOUT' || freezeError.code === 'FREEZE_TIMEOUT'
            ? 'FREEZE_TIMEOUT'
            : 'AGENT_UNAVAILABLE',
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
    // filesystems before giving up. A guest must never be left frozen. After a successful freeze
    // the agent answers: each thaw try gets the whole timeout. After a failed one it may be hung:
    // one try within what is left.
    const left = Math.max(reserve, total - reserve - (clock.now() - start));
    thawed = await thaw(hv, log, uuid, frozen ? total : left, frozen ? 3 : 1, frozen);
  }
  const freezeMs = clock.now() - start;
  // The check after the job: the whole timeout when the agent answered, the reserve otherwise.
  const check = { timeoutMs: frozen && thawed ? total : reserve, thawTimeoutMs: total };
  if (freezeError !== null) {
    return {
      consistency: 'crash',
      consistencyReason: `freeze failed: ${freezeError.message}`,
      freezeMs: null,
      check,
    };
  }
  return { consistency: 'filesystem', consistencyReason: null, freezeMs, check };
}

/** Thaw tries; each failure is logged at error. Returns whether a thaw was confirmed (or not needed). */
async function thaw(
  hv: Hypervisor,
  log: Logger,
  uuid: string,
  timeoutMs: number,
  tries: number,
  frozen: boolean,
): Promise<boolean> {
  for (let attempt = 1; attempt <= tries; attempt++) {
    try {
      await hv.thawFilesystems(uuid, timeoutMs);
      return true;
    } catch (e) {
      const err = toVirtpointError(e);
      // Nothing was frozen and the agent is not connected: nothing to thaw.
      if (!frozen && notConnected(err)) return true;
      log.error(
        { uuid, attempt, code: err.code, err: err.message },
        'THAW FAILED: the guest filesystems may still be frozen',
      );
    }
  }
  return false;
}

/**
 * After the job (succeeded or not): asks the agent whether the guest is still frozen
 * (guest-fsfreeze-status: a freeze that reached a slow agent after our timeout, or a thaw that
 * failed) and thaws it again if so. Never throws; returns false when it could not settle it
 * (logged at error; the caller then watches the guest: thaw-watch.ts).
 */
export async function checkThawed(
  hv: Hypervisor,
  log: Logger,
  uuid: string,
  check: CaptureResult['check'],
): Promise<boolean> {
  if (check === null) return true;
  let status: unknown;
  try {
    const reply = await hv.agentCommand(uuid, '{"execute":"guest-fsfreeze-status"}', check.timeoutMs);
    status = (JSON.parse(reply) as { return?: unknown }).return;
  } catch (e) {
    if (notConnected(toVirtpointError(e))) return true;
    log.error(
      { uuid, err: String(e) },
      'could not check the guest freeze state after the backup (agent not answering): watching it',
    );
    return false;
  }
  if (status !== 'frozen') return true;
  log.error({ uuid }, 'the guest is still frozen after the backup: thawing it again');
  if (await thaw(hv, log, uuid, check.thawTimeoutMs, 3, true)) return true;
  log.error({ uuid }, 'THAW FAILED after the backup: the guest filesystems are frozen; run virsh domfsthaw');
  return false;
}

/** The agent is not there at all (not running, channel not connected): nothing can be frozen. */
function notConnected(err: VirtpointError): boolean {
  return err.code === 'AGENT_UNAVAILABLE' && /not connected/i.test(err.message);
}
