import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import test from 'ava';

import { NodeFileSource } from '../../../src/adapters/file-source.js';
import { seededBytes } from '../../helpers/seeded.js';

test('chunks: from the offset to the end in chunks of chunkSize (last shorter); a missing file is NOT_FOUND', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'vp-src-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const data = seededBytes('src', 2500);
  await writeFile(join(dir, 'f'), data);
  const src = new NodeFileSource();
  const got: Buffer[] = [];
  for await (const c of src.chunks(join(dir, 'f'), 1000, 1000)) got.push(Buffer.from(c));
  t.deepEqual(
    got.map((b) => b.length),
    [1000, 500],
  );
  t.deepEqual(Buffer.concat(got), data.subarray(1000));
  const none: Buffer[] = [];
  for await (const c of src.chunks(join(dir, 'f'), 2500, 1000)) none.push(c);
  t.deepEqual(none, []);
  await t.throwsAsync(
    async () => {
      for await (const c of src.chunks(join(dir, 'nope'), 0, 10)) none.push(c);
    },
    { code: 'NOT_FOUND' } as never,
  );
});
