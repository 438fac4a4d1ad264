import test from 'ava';
import { allOrThrow, settleAll } from '../../../src/core/settle.js';

test('allOrThrow waits for every promise, then throws the first rejection', async (t) => {
  const done: string[] = [];
  const slow = new Promise<void>((r) => setTimeout(() => (done.push('slow'), r()), 20));
  const err = await t.throwsAsync(
    allOrThrow([Promise.reject(new Error('first')), slow, Promise.reject(new Error('second'))]),
  );
  t.is(err?.message, 'first');
  t.deepEqual(done, ['slow'], 'the slow one ended before the throw');
  await t.notThrowsAsync(allOrThrow([Promise.resolve(1), slow]));
});

test('settleAll waits for every promise and never throws', async (t) => {
  let ended = false;
  const slow = new Promise<void>((r) => setTimeout(() => ((ended = true), r()), 20));
  await t.notThrowsAsync(settleAll([Promise.reject(new Error('x')), slow]));
  t.true(ended);
});
