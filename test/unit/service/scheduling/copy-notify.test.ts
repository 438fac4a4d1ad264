import test from 'ava';

import { silentLogger } from '../../../../src/ports/logger.js';
import type { Copy } from '../../../../src/ports/copies-catalog.js';
import type { Notification } from '../../../../src/ports/notifier.js';
import { copyGiveUpNotifier } from '../../../../src/service/scheduling/copy-notify.js';
import { HOUR, schedHarness } from './_sched.js';

test("a task's copy given up sends a copy event to the task's receivers; a manual point's tells no one", async (t) => {
  const h = await schedHarness();
  const target = h.catalog.copies.addTarget({
    name: 'nas',
    config: { kind: 'ssh', user: 'u', host: 'nas', port: 22, path: '/srv' },
    keyId: null,
    bwlimit: null,
    retention: 'forever',
  });
  const p = h.policy('hourly', h.hourly);
  const task = h.task('web', [p.id], { receivers: [{ kind: 'journal' }] });
  h.clock.now += HOUR;
  const run = await h.scheduler.runTask({ task, trigger: 'schedule', policy: null, scheduledFor: null });
  await h.scheduler.idle();
  await h.exec.idle();
  const pointId = h.db.getTaskRun(run.id)!.resources[0]!.pointId!;
  const error = { code: 'TARGET_UNREACHABLE' as const, message: 'nas: connection refused' };
  const copy: Copy = h.catalog.copies.setCopy(pointId, target.id, { state: 'failed', error, attempts: 6 });
  const sent: { receivers: unknown; payload: Notification }[] = [];
  const tell = copyGiveUpNotifier({
    catalog: h.catalog,
    log: silentLogger,
    notify: async (receivers, payload) => {
      sent.push({ receivers, payload });
      return [];
    },
    timeZone: 'UTC',
    now: () => Date.UTC(2026, 11, 2, 3, 0),
    host: 'kvm1',
  });
  tell(copy);
  t.is(sent.length, 1);
  t.deepEqual(sent[0]!.receivers, [{ kind: 'journal' }]);
  t.like(sent[0]!.payload, {
    version: 1,
    event: 'copy',
    host: 'kvm1',
    task: { name: 'web' },
    copy: { target: 'nas', state: 'failed', attempts: 6, at: '2026-12-02T03:00:00.000+00:00', error },
    point: { id: pointId, chain: h.catalog.getPoint(pointId)!.chainId, domainName: 'web' },
  });

  // a point of a manual chain (no owning task): nothing is sent
  const manual = await h.backup.backup({ domain: h.uuids[0]! });
  tell(h.catalog.copies.setCopy(manual.id, target.id, { state: 'failed', error, attempts: 6 }));
  t.is(sent.length, 1);
});
