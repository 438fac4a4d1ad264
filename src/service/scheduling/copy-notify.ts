/**
 * A task's copy given up after its last retry reaches the task that owns the point's chain
 * (docs/notifications.md "copy"): its receivers get a `copy` notification. Copies of points of
 * manual chains, and of tasks without receivers, are only logged (by auto-copy.ts).
 */

import { hostname } from 'node:os';
import type { Catalog } from '../../ports/catalog.js';
import type { Copy } from '../../ports/copies-catalog.js';
import type { CopyNotification } from '../../ports/notifier.js';
import type { VerifyNotifyDeps } from './verify-notify.js';
import { isoWithOffset } from './task-exec.js';

export function copyPayload(
  catalog: Pick<Catalog, 'getPoint' | 'getDomain' | 'getChain' | 'scheduling'>,
  copy: Copy,
  at: string,
  host: string,
): {
  payload: CopyNotification;
  receivers: NonNullable<ReturnType<Catalog['scheduling']['getTaskById']>>['receivers'];
} | null {
  const point = catalog.getPoint(copy.pointId);
  if (point === null || copy.error === null) return null;
  const owner = catalog.getChain(point.chainId)?.ownerTaskId ?? null;
  const task = owner === null ? null : catalog.scheduling.getTaskById(owner);
  if (task === null || task.receivers.length === 0) return null;
  const domainName = catalog.getDomain(point.domainUuid)?.name ?? point.domainUuid;
  return {
    receivers: task.receivers,
    payload: {
      version: 1,
      event: 'copy',
      host,
      task: { name: task.name },
      copy: { target: copy.targetName, state: 'failed', attempts: copy.attempts, at, error: copy.error },
      point: { id: point.id, name: point.name, domain: point.domainUuid, domainName, chain: point.chainId },
    },
  };
}

/** AutoCopies' onGiveUp: sends in the background, never throws. */
export function copyGiveUpNotifier(deps: VerifyNotifyDeps): (copy: Copy) => void {
  return (copy) => {
    const { catalog, log } = deps;
    const made = copyPayload(
      catalog,
      copy,
      isoWithOffset(deps.now(), deps.timeZone),
      deps.host ?? hostname(),
    );
    if (made === null) return;
    const sent = deps.notify(made.receivers, made.payload).then((results) => {
      for (const r of results.filter((x) => !x.ok)) {
        log.warn(
          { task: made.payload.task.name, point: copy.pointId, receiver: r.receiver, error: r.error },
          'copy notification failed',
        );
      }
    });
    deps.track?.(sent);
  };
}
