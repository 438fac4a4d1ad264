import { isVirtpointError } from '../../core/errors.js';
import type { Catalog, Point } from '../../ports/catalog.js';
import type { DomainState, Hypervisor } from '../../ports/hypervisor.js';
import type { Logger } from '../../ports/logger.js';
import { RECONNECT_WAIT_MS } from './checkpoints.js';
import { discardPoint } from './cleanup.js';

/**
 * A backup cut off by libvirtd going away (LIBVIRT_DISCONNECTED: a restart or an upgrade of
 * libvirtd; libvirt cancels a backup job when it restarts) is tried once more, in the same job,
 * once the supervisor has reconnected — unless the domain changed state meanwhile (stopped,
 * paused, started: then the operator or the guest did something and a second attempt is not ours
 * to make). The failed attempt was undone (job stopped, checkpoint and files removed) before;
 * its `error` point is removed too when its checkpoint is gone, so it uses up no seq. The reason
 * goes to the log and to `onRetry` (the job's result).
 */

export interface RetryDeps {
  readonly hypervisor: Hypervisor;
  readonly catalog: Catalog;
  readonly log: Logger;
}

export interface RetryOptions {
  readonly onPoint?: (pointId: string) => void;
  readonly onRetry?: (reason: string) => void;
  readonly signal?: AbortSignal;
}

export async function withReconnectRetry(
  deps: RetryDeps,
  uuid: string,
  stateBefore: DomainState,
  opts: RetryOptions,
  attempt: (opts: RetryOptions) => Promise<Point>,
  reconnectMs = RECONNECT_WAIT_MS,
): Promise<Point> {
  let pointId: string | null = null;
  const first: RetryOptions = {
    ...opts,
    onPoint: (id) => {
      pointId = id;
      opts.onPoint?.(id);
    },
  };
  try {
    return await attempt(first);
  } catch (e) {
    if (!isVirtpointError(e, 'LIBVIRT_DISCONNECTED') || opts.signal?.aborted) throw e;
    const reason = await retryReason(deps.hypervisor, uuid, stateBefore, e.message, reconnectMs);
    if (reason === null) throw e;
    deps.log.warn({ uuid, point: pointId, reason }, 'retrying the backup once');
    if (pointId !== null) await dropFailedAttempt(deps, uuid, pointId);
    opts.onRetry?.(reason);
    return attempt(opts);
  }
}

async function retryReason(
  hv: Hypervisor,
  uuid: string,
  stateBefore: DomainState,
  message: string,
  reconnectMs: number,
): Promise<string | null> {
  try {
    await hv.whenConnected(reconnectMs);
    const state = await hv.getDomainState(uuid);
    if (state !== stateBefore) return null;
  } catch {
    return null;
  }
  return `libvirtd went away during the backup (${message}); its job was lost, the backup was retried once after the reconnect`;
}

/** The first attempt's `error` point, once its checkpoint is gone from libvirt (else it stays: it proves the checkpoint ours). */
async function dropFailedAttempt(deps: RetryDeps, uuid: string, pointId: string): Promise<void> {
  const p = deps.catalog.getPoint(pointId);
  if (p === null || p.state !== 'error') return;
  const cp = p.disks[0]?.checkpoint ?? null;
  try {
    if (cp !== null && (await deps.hypervisor.listCheckpoints(uuid)).some((c) => c.name === cp)) return;
    discardPoint(deps.catalog, pointId);
  } catch (e) {
    deps.log.warn({ uuid, point: pointId, err: String(e) }, 'kept the failed attempt\u2019s point');
  }
}
