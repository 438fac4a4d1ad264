import test from 'ava';
import { allOrThrow, eachLimit, settleAll } from '../../../src/core/settle.js';

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

test('eachLimit: at most n at once, every item with its index; after a failure no new item starts', async (t) => {
  let running = 0;
  let most = 0;
  const seen: number[] = [];
  await eachLimit([10, 11, 12, 13, 14], 2, async (x, i) => {
    running++;
    most = Math.max(most, running);
    await new Promise((r) => setTimeout(r, 5));
    seen.push(x - i);
    running--;
  });
  t.is(most, 2);
  t.deepEqual(seen, [10, 10, 10, 10, 10]);
  const started: number[] = [];
  const err = await t.throwsAsync(
    eachLimit([0, 1, 2, 3, 4], 2, async (x) => {
      started.push(x);
      await new Promise((r) => setTimeout(r, x === 0 ? 1 : 20));
      if (x === 0) throw new Error('first');
    }),
  );
  t.is(err?.message, 'first');
  t.deepEqual(started, [0, 1], 'item 1 ran to its end; items 2.. never started');
});
