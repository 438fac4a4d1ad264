/**
 * A failed verify reaches the task that owns the chain (docs/notifications.md "verify"): its
 * receivers get a `verify` notification, whatever started the verify (by hand, the daily
 * sweep, the task's own `--verify-after`, the check before a restore). Points of manual chains,
 * and of tasks without receivers, are only logged (by the verify itself).
 */

import { hostname } from 'node:os';
import type { Catalog } from '../../ports/catalog.js';
import type { Logger } from '../../ports/logger.js';
import type { Point } from '../../ports/catalog-records.js';
import type {
  DeliveryResult,
  Notification,
  NotificationPoint,
  VerifyNotification,
} from '../../ports/notifier.js';
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

/** The task that owns the point's chain, when it has receivers (`verify` and `copy` go there). */
function ownerWithReceivers(catalog: Catalog, point: Point): Task | null {
  const owner = catalog.getChain(point.chainId)?.ownerTaskId ?? null;
  const task = owner === null ? null : catalog.scheduling.getTaskById(owner);
  return task !== null && task.receivers.length > 0 ? task : null;
}

/**
 * Sends the event `make` builds to the receivers of the task that owns `point`'s chain, in the
 * background; never throws. Nothing is sent for a manual chain or a task without receivers.
 */
export function tellOwner(
  deps: VerifyNotifyDeps,
  point: Point,
  event: string,
  make: (task: Task, ref: NotificationPoint, at: string, host: string) => Notification,
): void {
  const { catalog, log } = deps;
  const task = ownerWithReceivers(catalog, point);
  if (task === null) return;
  const domainName = catalog.getDomain(point.domainUuid)?.name ?? point.domainUuid;
  const ref = { id: point.id, name: point.name, domain: point.domainUuid, domainName, chain: point.chainId };
  const payload = make(task, ref, isoWithOffset(deps.now(), deps.timeZone), deps.host ?? hostname());
  const sent = deps.notify(task.receivers, payload).then((results) => {
    for (const r of results.filter((x) => !x.ok)) {
      log.warn(
        { task: task.name, point: point.id, receiver: r.receiver, error: r.error },
        `${event} notification failed`,
      );
    }
  });
  deps.track?.(sent);
}

export function verifyPayload(
  task: Task,
  failure: VerifyFailure,
  point: NotificationPoint,
  at: string,
  host: string,
): VerifyNotification {
  return {
    version: 1,
    event: 'verify',
    host,
    task: { name: task.name },
    verify: { trigger: failure.trigger, at, deep: failure.deep, summary: failure.summary },
    point,
    corrupt: [...failure.corrupt],
  };
}

/** The VerifyService's onVerifyFailure: sends in the background, never throws. */
export function verifyFailureNotifier(deps: VerifyNotifyDeps): (failure: VerifyFailure) => void {
  return (failure) =>
    tellOwner(deps, failure.point, 'verify', (task, ref, at, host) =>
      verifyPayload(task, failure, ref, at, host),
    );
}
