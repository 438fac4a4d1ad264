import { randomBytes } from 'node:crypto';

import test from 'ava';

import { decryptBuffer, encryptBuffer, HEADER_BYTES } from '../../../../src/core/encryption.js';
import { VirtpointError } from '../../../../src/core/errors.js';
import { setup } from './_copy.js';

// 2500-byte full-point files in 300-byte frames: 9 frames, 2788 encrypted bytes, 3 parts; part 2
// begins in frame 2, part 3 in frame 5 (neither on a frame boundary).
const FRAME = 300;

type Ctx = Awaited<ReturnType<typeof setup>>;

/**
 * Copies the full point, failing (store error) or aborted (signal) once parts 1..n of vda are
 * done; 'complete': every part sent, completing the upload fails.
 */
async function interrupted(how: 'fail' | 'abort' | 'complete', n: number, frameSize = FRAME) {
  const r = await setup(true, { frameSize });
  const full = r.points[0]!;
  const ac = new AbortController();
  r.store.failOn = (c) => {
    if (how === 'complete' && c.startsWith('complete ') && c.includes('/vda.'))
      throw new VirtpointError('TARGET_UNREACHABLE', 'connection reset');
    if (!c.startsWith('part ') || !c.includes('/vda.')) return;
    const part = Number(c.split(' ')[2]);
    if (how === 'fail' && part === n + 1) throw new VirtpointError('TARGET_UNREACHABLE', 'connection reset');
    if (how === 'abort' && part === n) ac.abort();
  };
  await r.svc.copy([full], 'off', { signal: ac.signal }).then(
    () => Promise.reject(new Error('the first copy should have been interrupted')),
    () => undefined,
  );
  const [u] = r.catalog.copies.listUploads();
  if (u === undefined) throw new Error('no upload state left');
  r.store.failOn = null;
  r.store.calls.length = 0;
  r.files.reads = [];
  r.records.length = 0;
  const path = [...r.data.keys()].find((p) => p.endsWith('/vda.0.qcow2'))!;
  return { ...r, full, u, path };
}

const partsOf = (r: Ctx, key: string) =>
  r.store.calls.filter((c) => c.startsWith(`part ${key} `)).map((c) => c.split(' ')[2]);
const restarts = (r: Ctx) =>
  r.records.filter((x) => x.msg === 'restarting an upload from scratch').map((x) => x.obj.reason);

for (const [how, n] of [
  ['fail', 1],
  ['abort', 2],
] as const) {
  test(`an encrypted upload interrupted after part ${n} (${how}) resumes with parts ${n + 1}.. only; the object is the uninterrupted one with the same salt`, async (t) => {
    const r = await interrupted(how, n);
    t.is(r.u.parts.length, n);
    const enc = JSON.parse(r.u.enc ?? 'null') as { salt: string; frameSize: number; file: object };
    t.like(enc, { frameSize: FRAME, file: { size: 2500, mtimeMs: 1_700_000_000_123.25 } });
    t.regex(enc.salt, /^[0-9a-f]{32}$/);
    await r.svc.copy([r.full], 'off');
    const want = n === 1 ? ['2', '3'] : ['3'];
    t.deepEqual(partsOf(r, r.u.key), want, 'putPart calls for the resumed file');
    t.false(r.store.calls.includes(`begin ${r.u.key}`), 'the same upload');
    t.false(r.store.calls.includes(`abort ${r.u.key}`));
    // Re-read from the start of the frame holding the first missing byte (frame 2 or 5).
    t.true(r.files.reads.includes(`${r.path}@${(n === 1 ? 2 : 5) * FRAME}`), r.files.reads.join());
    t.deepEqual(restarts(r), []);
    const body = r.store.objects.get(r.u.key)!.body;
    const source = r.data.get(r.path)!;
    t.deepEqual(
      body,
      encryptBuffer(r.key!, source, () => Buffer.from(enc.salt, 'hex'), FRAME),
    );
    t.deepEqual(decryptBuffer(r.key!, body), source);
    t.like(r.catalog.copies.listCopies({ pointId: r.full.id })[0], { state: 'copied' });
    t.deepEqual(r.catalog.copies.listUploads(), []);
  });
}

test('every part sent but the upload not completed: only the short last part is sent again', async (t) => {
  const r = await interrupted('complete', 3);
  t.is(r.u.parts.length, 3);
  await r.svc.copy([r.full], 'off');
  t.deepEqual(partsOf(r, r.u.key), ['3']);
  t.deepEqual(decryptBuffer(r.key!, r.store.objects.get(r.u.key)!.body), r.data.get(r.path)!);
});

for (const [what, change] of [
  ['mtime', (f: { mtimeMs?: number }) => void (f.mtimeMs = (f.mtimeMs ?? 0) + 1000)],
  ['inode', (f: { ino?: number }) => void (f.ino = (f.ino ?? 0) + 1)],
] as const) {
  test(`an encrypted upload whose file changed (${what}) restarts from scratch with a new salt`, async (t) => {
    const r = await interrupted('fail', 1);
    change(r.fs.files.get(r.path)!);
    await r.svc.copy([r.full], 'off');
    t.deepEqual(restarts(r), ['the file changed since the upload began (mtime, inode or device)']);
    t.true(r.store.calls.includes(`abort ${r.u.key}`));
    t.true(r.store.calls.includes(`begin ${r.u.key}`));
    t.deepEqual(partsOf(r, r.u.key), ['1', '2', '3']);
    const body = r.store.objects.get(r.u.key)!.body;
    t.deepEqual(decryptBuffer(r.key!, body), r.data.get(r.path)!);
    const oldSalt = JSON.parse(r.u.enc!) as { salt: string };
    t.not(body.subarray(HEADER_BYTES - 16, HEADER_BYTES).toString('hex'), oldSalt.salt, 'a new salt');
    const salt = Buffer.from(body.subarray(HEADER_BYTES - 16, HEADER_BYTES));
    t.deepEqual(
      body,
      encryptBuffer(r.key!, r.data.get(r.path)!, () => salt, FRAME),
      'one stream under the new salt',
    );
    t.is(r.store.uploads.size, 0);
  });
}

test('an encrypted upload whose file changed size restarts from scratch', async (t) => {
  const r = await interrupted('fail', 1);
  const bigger = Buffer.concat([r.data.get(r.path)!, Buffer.from('more bytes')]);
  const f = r.fs.files.get(r.path)!;
  f.data = bigger.toString('latin1');
  f.size = bigger.length;
  await r.svc.copy([r.full], 'off');
  t.deepEqual(restarts(r), ['the file is 2510 bytes, was 2500']);
  t.deepEqual(partsOf(r, r.u.key), ['1', '2', '3']);
  t.deepEqual(decryptBuffer(r.key!, r.store.objects.get(r.u.key)!.body), bigger);
});

test('a stored encryption state with another frame size restarts from scratch', async (t) => {
  const r = await interrupted('fail', 1);
  await r.service(400).copy([r.full], 'off');
  t.deepEqual(restarts(r), ['frames of 400 bytes, were 300']);
  t.true(r.store.calls.includes(`abort ${r.u.key}`));
  t.deepEqual(partsOf(r, r.u.key), ['1', '2', '3']);
  t.deepEqual(decryptBuffer(r.key!, r.store.objects.get(r.u.key)!.body), r.data.get(r.path)!);
});

test('an encrypted upload begun under another key restarts from scratch', async (t) => {
  const r = await interrupted('fail', 1);
  const other = randomBytes(32);
  await r.service(FRAME, other).copy([r.full], 'off');
  t.deepEqual(restarts(r), ['it was encrypted with another key']);
  t.deepEqual(partsOf(r, r.u.key), ['1', '2', '3']);
  t.deepEqual(decryptBuffer(other, r.store.objects.get(r.u.key)!.body), r.data.get(r.path)!);
});

test('an encrypted upload begun by an older daemon (parts, no encryption state) restarts from scratch', async (t) => {
  const r = await interrupted('fail', 1);
  const { copies } = r.catalog;
  copies.endUpload(r.target.id, r.u.key);
  const { createdAt, updatedAt, parts, enc, ...old } = r.u;
  void [createdAt, updatedAt, enc];
  copies.beginUpload(old);
  for (const p of parts) copies.recordPart(r.target.id, r.u.key, p);
  t.is(copies.getUpload(r.target.id, r.u.key)?.enc, null);
  await r.svc.copy([r.full], 'off');
  t.deepEqual(restarts(r), ['it has no encryption state (begun by an older virtpointd)']);
  t.true(r.store.calls.includes(`abort ${r.u.key}`));
  t.deepEqual(partsOf(r, r.u.key), ['1', '2', '3']);
  t.deepEqual(decryptBuffer(r.key!, r.store.objects.get(r.u.key)!.body), r.data.get(r.path)!);
});

test('unreadable encryption state, or a file whose mtime is unknown: restart from scratch', async (t) => {
  const r = await interrupted('fail', 1);
  const { copies } = r.catalog;
  copies.endUpload(r.target.id, r.u.key);
  const { createdAt, updatedAt, parts, ...rest } = r.u;
  void [createdAt, updatedAt];
  copies.beginUpload({ ...rest, enc: '{"v":1,"salt":"zz"}' });
  for (const p of parts) copies.recordPart(r.target.id, r.u.key, p);
  await r.svc.copy([r.full], 'off');
  t.deepEqual(restarts(r), ['its encryption state is unreadable']);

  const s = await interrupted('fail', 1);
  delete s.fs.files.get(s.path)!.mtimeMs;
  await s.svc.copy([s.full], 'off');
  t.deepEqual(restarts(s), ["the file's modification time is unknown"]);
  t.deepEqual(decryptBuffer(s.key!, s.store.objects.get(s.u.key)!.body), s.data.get(s.path)!);
});

/** putPart of vda delayed per part number; records how many ran at once and complete's order. */
function slowParts(r: Ctx, delayMs: (part: number) => number, fail?: number) {
  const put = r.store.putPart.bind(r.store);
  const complete = r.store.completeUpload.bind(r.store);
  const seen = { running: 0, most: 0, completeOrder: [] as number[] };
  r.store.putPart = async (key, id, n, data) => {
    if (!key.includes('/vda.')) return put(key, id, n, data);
    seen.running++;
    seen.most = Math.max(seen.most, seen.running);
    try {
      await new Promise((res) => setTimeout(res, delayMs(n)));
      if (n === fail) throw new VirtpointError('TARGET_UNREACHABLE', 'connection reset');
      return await put(key, id, n, data);
    } finally {
      seen.running--;
    }
  };
  r.store.completeUpload = (key, id, parts) => {
    if (key.includes('/vda.')) seen.completeOrder = parts.map((p) => p.partNumber);
    return complete(key, id, parts);
  };
  return seen;
}

test('two parts go up at once and may finish in any order; the upload is completed with them in order', async (t) => {
  const r = await setup(false);
  const seen = slowParts(r, (n) => (n === 1 ? 60 : 5));
  await r.svc.copy([r.points[0]!], 'off');
  t.is(seen.most, 2, 'at most two parts in flight, and two were');
  t.deepEqual(seen.completeOrder, [1, 2, 3]);
  const key = [...r.store.objects.keys()].find((k) => k.includes('/vda.0.'))!;
  const path = [...r.data.keys()].find((p) => p.endsWith('/vda.0.qcow2'))!;
  t.deepEqual(r.store.objects.get(key)!.body, r.data.get(path));
});

test('a part that fails while the next one succeeds: the copy fails after both end; the resume sends from the failed part on', async (t) => {
  const r = await setup(false);
  const seen = slowParts(r, (n) => (n === 1 ? 40 : 1), 1);
  await t.throwsAsync(r.svc.copy([r.points[0]!], 'off'), { message: /connection reset/ });
  t.is(seen.running, 0, 'no part still being sent when the copy has failed');
  const [u] = r.catalog.copies.listUploads();
  t.deepEqual(
    u?.parts.map((p) => p.partNumber),
    [2, 3],
    'the parts completed while the failed part 1 was in flight are recorded',
  );
  r.store.putPart = Object.getPrototypeOf(r.store).putPart.bind(r.store);
  r.store.calls.length = 0;
  await r.svc.copy([r.points[0]!], 'off');
  t.deepEqual(partsOf(r, u!.key), ['1', '2', '3'], 'no run of completed parts from the first: all again');
  const path = [...r.data.keys()].find((p) => p.endsWith('/vda.0.qcow2'))!;
  t.deepEqual(r.store.objects.get(u!.key)!.body, r.data.get(path));
});
