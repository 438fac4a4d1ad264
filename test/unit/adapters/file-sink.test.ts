import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { NodeFileSink, writeAll } from '../../../src/adapters/file-sink.js';
import { VirtpointError } from '../../../src/core/errors.js';

async function dir(t: { teardown: (f: () => Promise<void>) => void }) {
  const d = await mkdtemp(join(tmpdir(), 'vp-sink-'));
  t.teardown(() => rm(d, { recursive: true, force: true }));
  return d;
}

async function* chunks(data: Buffer, size: number, failAfter?: number) {
  for (let off = 0; off < data.length; off += size) {
    if (failAfter !== undefined && off >= failAfter) throw new VirtpointError('DATA_CORRUPT', 'bad chunk');
    await new Promise((r) => setImmediate(r));
    yield data.subarray(off, off + size);
  }
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

test('writeNew: every byte in order across batches and a short last one, mode kept', async (t) => {
  const d = await dir(t);
  const data = randomBytes(1_000_003);
  const sink = new NodeFileSink(64 * 1024); // many batches: the in-flight write overlaps the next
  const n = await sink.writeNew(join(d, 'f'), chunks(data, 7_777), 0o600);
  t.is(n, data.length);
  t.is(sha(await readFile(join(d, 'f'))), sha(data));
  t.is((await stat(join(d, 'f'))).mode & 0o777, 0o600);
});

test('writeNew: a source that throws midway leaves no file and rethrows its error', async (t) => {
  const d = await dir(t);
  const sink = new NodeFileSink(64 * 1024);
  const e = await t.throwsAsync(
    sink.writeNew(join(d, 'f'), chunks(randomBytes(500_000), 10_000, 300_000), 0o600),
  );
  t.is((e as VirtpointError).code, 'DATA_CORRUPT');
  t.deepEqual(await readdir(d), []);
});

test('writeNew: an existing file is ALREADY_EXISTS and stays as it was', async (t) => {
  const d = await dir(t);
  await writeFile(join(d, 'f'), 'keep');
  const e = await t.throwsAsync(
    new NodeFileSink().writeNew(join(d, 'f'), chunks(Buffer.from('x'), 1), 0o600),
  );
  t.is((e as VirtpointError).code, 'ALREADY_EXISTS');
  t.is(await readFile(join(d, 'f'), 'utf8'), 'keep');
});

test('writeAll: short writes go on where they stopped; a write of nothing is an error', async (t) => {
  const got: Buffer[] = [];
  await writeAll(
    async (bufs) => {
      const first = bufs[0]!;
      const n = Math.min(3, first.length);
      got.push(first.subarray(0, n));
      return { bytesWritten: n };
    },
    [Buffer.from('hello'), Buffer.from(''), Buffer.from('world!')],
  );
  t.is(Buffer.concat(got).toString(), 'helloworld!');
  const e = await t.throwsAsync(writeAll(async () => ({ bytesWritten: 0 }), [Buffer.from('x')]));
  t.is((e as VirtpointError).code, 'IO_ERROR');
});
