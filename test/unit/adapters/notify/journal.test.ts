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
