import test from 'ava';

import { rangedRead } from '../../../../src/adapters/s3/ranged-read.js';
import { VirtpointError } from '../../../../src/core/errors.js';

async function collect(r: AsyncIterable<unknown>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of r) out.push(c as Buffer);
  return Buffer.concat(out);
}

test('ranges are fetched in parallel (bounded) and handed out in order', async (t) => {
  const body = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
  let inFlight = 0;
  let most = 0;
  const asked: string[] = [];
  const r = rangedRead(body.length, 64, 3, async (first, last) => {
    asked.push(`${first}-${last}`);
    inFlight++;
    most = Math.max(most, inFlight);
    // Later ranges answer first.
    await new Promise((res) => setTimeout(res, (1000 - first) / 50));
    inFlight--;
    return body.subarray(first, last + 1);
  });
  t.deepEqual(await collect(r), body);
  t.is(most, 3);
  t.is(asked.length, 16);
  t.is(asked.at(-1), '960-999');
});

test('an empty object reads as nothing; a short range is DATA_TRUNCATED; a failed range fails the stream', async (t) => {
  t.is((await collect(rangedRead(0, 64, 4, () => Promise.reject(new Error('not called'))))).length, 0);
  const short = rangedRead(100, 64, 2, (first, last) => Promise.resolve(Buffer.alloc(last - first)));
  const e = await t.throwsAsync(collect(short));
  t.is((e as VirtpointError).code, 'DATA_TRUNCATED');
  const failing = rangedRead(200, 64, 4, (first, last) =>
    first === 128
      ? Promise.reject(new VirtpointError('TARGET_UNREACHABLE', 'gone'))
      : Promise.resolve(Buffer.alloc(last - first + 1)),
  );
  const f = await t.throwsAsync(collect(failing));
  t.is((f as VirtpointError).code, 'TARGET_UNREACHABLE');
});
