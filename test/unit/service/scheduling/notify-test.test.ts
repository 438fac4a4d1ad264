import test from 'ava';

import { VirtpointError } from '../../../../src/core/errors.js';
import { parseRetention } from '../../../../src/core/retention.js';
import type { DeliveryResult, Notification, Receiver } from '../../../../src/ports/notifier.js';
import type { Task } from '../../../../src/ports/scheduling-catalog.js';
import { NotifyTestApiImpl } from '../../../../src/service/scheduling/notify-test.js';

function task(receivers: Receiver[]): Task {
  return {
    id: 'aaaaaaaaaaaa',
    name: 'web',
    resources: [],
    policies: [],
    chainLength: 30,
    retention: parseRetention('forever'),
    receivers,
    enabled: true,
    verifyAfter: false,
    copyTo: [],
    runCount: 0,
    createdAt: 0,
    updatedAt: 0,
  };
}

function api(t: Task | null) {
  const sent: { receivers: readonly Receiver[]; payload: Notification }[] = [];
  const impl = new NotifyTestApiImpl({
    getTask: (name) => (t !== null && t.name === name ? t : null),
    notify: (receivers, payload) => {
      sent.push({ receivers, payload });
      return Promise.resolve(
        receivers.map((r): DeliveryResult =>
          r.kind === 'exec'
            ? {
                receiver: `exec:${r.path}`,
                ok: false,
                attempts: 1,
                durationMs: 4,
                error: { code: 'IO_ERROR', message: 'exit 3' },
              }
            : { receiver: r.kind, ok: true, attempts: 1, durationMs: 1 },
        ),
      );
    },
    timeZone: 'UTC',
    now: () => Date.parse('2026-12-01T19:00:00Z'),
    host: 'kvm1',
  });
  return { impl, sent };
}

test('notify-test sends the test event (version 1) to every receiver and answers per receiver', async (t) => {
  const receivers: Receiver[] = [{ kind: 'journal' }, { kind: 'exec', path: '/usr/local/bin/hook' }];
  const { impl, sent } = api(task(receivers));
  const view = await impl.notifyTest('web');
  t.is(sent.length, 1);
  t.deepEqual(sent[0]?.receivers, receivers);
  t.deepEqual(sent[0]?.payload, {
    version: 1,
    event: 'test',
    host: 'kvm1',
    task: { name: 'web' },
    at: '2026-12-01T19:00:00.000+00:00',
    message: 'test notification of task web from virtpoint on kvm1',
  });
  t.deepEqual(view, {
    task: 'web',
    event: 'test',
    results: [
      { receiver: 'journal', ok: true, attempts: 1, durationMs: 1 },
      {
        receiver: 'exec:/usr/local/bin/hook',
        ok: false,
        attempts: 1,
        durationMs: 4,
        error: { code: 'IO_ERROR', message: 'exit 3' },
      },
    ],
  });
});

test('notify-test: an unknown task is NOT_FOUND, a task without receivers INVALID_STATE; nothing sent', async (t) => {
  const none = api(null);
  const e1 = await t.throwsAsync(none.impl.notifyTest('web'), { instanceOf: VirtpointError });
  t.is((e1 as VirtpointError).code, 'NOT_FOUND');
  const empty = api(task([]));
  const e2 = await t.throwsAsync(empty.impl.notifyTest('web'), { instanceOf: VirtpointError });
  t.is((e2 as VirtpointError).code, 'INVALID_STATE');
  t.regex(e2?.message ?? '', /task update web --notify/);
  t.is(none.sent.length + empty.sent.length, 0);
});
