import test from 'ava';

import type { Clock } from '../../../../src/ports/fs.js';
import { Throttle, ThrottledTarget } from '../../../../src/service/copies/throttle.js';
import { FakeTarget } from '../../../helpers/fake-target.js';

/** A clock that only moves when slept on; records every sleep. */
class StillClock implements Clock {
  t = 0;
  readonly sleeps: number[] = [];
  now(): number {
    return this.t;
  }
  sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.t += ms;
    return Promise.resolve();
  }
}

test('take: the first bytes go at once, later ones wait until the earlier ones are paid at the rate', async (t) => {
  const clock = new StillClock();
  const th = new Throttle(1000, clock);
  await th.take(500);
  t.deepEqual(clock.sleeps, []);
  await th.take(2000);
  t.deepEqual(clock.sleeps, [500]);
  await th.take(1);
  t.deepEqual(clock.sleeps, [500, 2000]);
  // Idle time is not banked beyond the present.
  clock.t += 60_000;
  await th.take(10);
  t.deepEqual(clock.sleeps, [500, 2000]);
  t.is(clock.t, 62_500);
});

test('a throttled store paces parts, puts and reads, not metadata calls, and passes results through', async (t) => {
  const clock = new StillClock();
  const inner = new FakeTarget();
  const store = new ThrottledTarget(inner, new Throttle(100, clock));
  await store.putObject('a', Buffer.alloc(100));
  const id = await store.beginUpload('b');
  const p1 = await store.putPart('b', id, 1, Buffer.alloc(300));
  const p2 = await store.putPart('b', id, 2, Buffer.alloc(50));
  t.deepEqual(clock.sleeps, [1000, 3000]);
  await store.completeUpload('b', id, [p1, p2]);
  t.is((await store.head('b'))?.size, 350);
  t.is((await store.list('')).length, 2);
  t.deepEqual(await store.listUploads(''), []);
  t.is(clock.sleeps.length, 2, 'head/list/complete are not paced');
  const chunks: Buffer[] = [];
  for await (const c of await store.openRead('b')) chunks.push(c as Buffer);
  t.is(Buffer.concat(chunks).length, 350);
  t.is(clock.sleeps.length, 3);
  await store.close();
  t.true(inner.closed);
});

test('a failed read fails the paced stream', async (t) => {
  const inner = new FakeTarget();
  const store = new ThrottledTarget(inner, new Throttle(1e9, new StillClock()));
  await t.throwsAsync(store.openRead('none'), { message: /no object/ });
});
