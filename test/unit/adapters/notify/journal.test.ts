import test from 'ava';
import { JOURNAL_PAYLOAD_KEY, sendJournal } from '../../../../src/adapters/notify/journal.js';
import type { Logger } from '../../../../src/ports/logger.js';
import { payload, recorder } from './helpers.js';

test('one structured line with the payload under a key', async (t) => {
  const logger = recorder();
  const r = await sendJournal(logger, payload);
  t.true(r.ok);
  t.is(r.receiver, 'journal');
  t.is(r.attempts, 1);
  t.is(logger.lines.length, 1);
  const line = logger.lines[0];
  t.is(line?.level, 'warn'); // partial
  t.is(line?.msg, 'task nightly run partial (schedule)');
  t.like(line?.obj, { event: 'task-run', task: 'nightly', runId: 'r-0001', outcome: 'partial' });
  t.deepEqual((line?.obj as Record<string, unknown>)[JOURNAL_PAYLOAD_KEY], payload);
});

test('a succeeded run logs at info', async (t) => {
  const logger = recorder();
  await sendJournal(logger, { ...payload, run: { ...payload.run, outcome: 'succeeded' } });
  t.is(logger.lines[0]?.level, 'info');
});

test('a logger that throws gives a failed result', async (t) => {
  const boom = () => {
    throw new Error('stdout closed');
  };
  const logger: Logger = { debug: boom, info: boom, warn: boom, error: boom };
  const r = await sendJournal(logger, payload);
  t.false(r.ok);
  t.regex(r.error?.message ?? '', /stdout closed/);
});

test('a copy event: one warn line naming the task, the point and the target', async (t) => {
  const logger = recorder();
  const copy = {
    version: 1 as const,
    event: 'copy' as const,
    host: 'kvm1',
    task: { name: 'nightly' },
    copy: {
      target: 'nas',
      state: 'failed' as const,
      attempts: 6,
      at: '2026-12-02T03:00:00.000+00:00',
      error: { code: 'TARGET_UNREACHABLE' as const, message: 'nas: connection refused' },
    },
    point: { id: 'aaaaaaaaaaaa', name: 'autobk_x', domain: 'u', domainName: 'web', chain: 'bbbbbbbbbbbb' },
  };
  await sendJournal(logger, copy);
  t.is(logger.lines[0]?.level, 'warn');
  t.like(logger.lines[0]?.obj, { event: 'copy', task: 'nightly', point: 'aaaaaaaaaaaa', target: 'nas' });
  t.regex(logger.lines[0]?.msg ?? '', /copy of point aaaaaaaaaaaa of web to nas failed 6 times, given up/);
});
