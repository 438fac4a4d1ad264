/**
 * A failed verify reaches the task that owns the chain (docs/notifications.md "verify"): its
 * receivers get a `verify` notification, whatever started the verify (by hand, the daily
 * sweep, the task's own `--verify-after`, the check before a restore). Points of manual chains,
 * and of tasks without receivers, are only logged (by the verify itself).
 */

import { hostname } from 'node:os';
import type { Catalog } from '../../ports/catalog.js';
import type { Logger } from '../../ports/logger.js';
import type { DeliveryResult, Notification, VerifyNotification } from '../../ports/notifier.js';
import type { Task } from '../../ports/scheduling-catalog.js';
import type { VerifyFailure } from '../verify/verify.js';
import { isoWithOffset } from './task-exec.js';

export interface VerifyNotifyDeps {
  readonly catalog: Catalog;
  readonly log: Logger;
  readonly notify: (receivers: Task['receivers'], payload: Notification) => Promise<DeliveryResult[]>;
  readonly timeZone: string;
  readonly now: () => number;
  /** Keeps the delivery until it settles (TaskExecutor.track: tests and shutdown wait for it). */
  readonly track?: (p: Promise<unknown>) => void;
  readonly host?: string;
}

/** The owning task of the failed point's chain, when it has receivers. */
function ownerWithReceivers(catalog: Catalog, failure: VerifyFailure): Task | null {
  const owner = catalog.getChain(failure.point.chainId)?.ownerTaskId ?? null;
  const task = owner === null ? null : catalog.scheduling.getTaskById(owner);
  return task !== null && task.receivers.length > 0 ? task : null;
}

export function verifyPayload(
  task: Task,
  failure: VerifyFailure,
  domainName: string,
  at: string,
  host: string,
): VerifyNotification {
  const { point } = failure;
  return {
    version: 1,
    event: 'verify',
    host,
    task: { name: task.name },
    verify: { trigger: failure.trigger, at, deep: failure.deep, summary: failure.summary },
    point: { id: point.id, name: point.name, domain: point.domainUuid, domainName, chain: point.chainId },
    corrupt: [...failure.corrupt],
  };
}

/** The VerifyService's onVerifyFailure: sends in the background, never throws. */
export function verifyFailureNotifier(deps: VerifyNotifyDeps): (failure: VerifyFailure) => void {
  return (failure) => {
    const { catalog, log } = deps;
    const task = ownerWithReceivers(catalog, failure);
    if (task === null) return;
    const domainName = catalog.getDomain(failure.point.domainUuid)?.name ?? failure.point.domainUuid;
    const at = isoWithOffset(deps.now(), deps.timeZone);
    const payload = verifyPayload(task, failure, domainName, at, deps.host ?? hostname());
    const sent = deps.notify(task.receivers, payload).then((results) => {
      for (const r of results.filter((x) => !x.ok)) {
        log.warn(
          { task: task.name, point: failure.point.id, receiver: r.receiver, error: r.error },
          'verify notification failed',
        );
      }
    });
    deps.track?.(sent);
  };
}
