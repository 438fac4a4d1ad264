import test from 'ava';

import { corruptPoints, judgeFile, summarize, type ExpectedFile } from '../../../src/core/verify.js';

const SHA_A = 'a'.repeat(64);
const SHA_B = 'b'.repeat(64);

const want = (over: Partial<ExpectedFile> = {}): ExpectedFile => ({
  pointId: 'p1',
  seq: 1,
  target: 'vdb',
  path: 'u/c/vdb.1.qcow2',
  fileSize: 1000,
  sha256: SHA_A,
  backing: 'vdb.0.qcow2',
  format: 'qcow2',
  ...over,
});

test('a file as written is ok; one that is gone is missing', (t) => {
  t.like(judgeFile(want(), { exists: true, fileSize: 1000, sha256: SHA_A, backing: 'vdb.0.qcow2' }), {
    verdict: 'ok',
    detail: null,
  });
  t.like(judgeFile(want(), { exists: false }), { verdict: 'missing', target: 'vdb', seq: 1 });
});

test('the first difference decides: size, then checksum, then backing file, then qemu-img', (t) => {
  const got = { exists: true, fileSize: 1000, sha256: SHA_A, backing: 'vdb.0.qcow2', imageError: null };
  const size = judgeFile(want(), { ...got, fileSize: 999, sha256: SHA_B });
  t.is(size.verdict, 'size-mismatch');
  t.regex(size.detail!, /999 bytes; 1000 were written/);
  t.is(judgeFile(want(), { ...got, sha256: SHA_B, imageError: 'x' }).verdict, 'checksum-mismatch');
  const backing = judgeFile(want(), { ...got, backing: '/elsewhere/other.qcow2' });
  t.is(backing.verdict, 'backing-mismatch');
  t.regex(backing.detail!, /names backing file other\.qcow2; expected vdb\.0\.qcow2/);
  t.is(judgeFile(want({ backing: null }), { ...got, backing: 'vdb.0.qcow2' }).verdict, 'backing-mismatch');
  const img = judgeFile(want(), { ...got, imageError: '2 errors were found on the image' });
  t.deepEqual([img.verdict, img.detail], ['qemu-img-error', '2 errors were found on the image']);
  // a raw file has no backing file to compare
  t.is(judgeFile(want({ format: 'raw', backing: null }), { ...got, backing: 'x' }).verdict, 'ok');
});

test('a file recorded before checksums is ok with what could not be checked', (t) => {
  const f = judgeFile(want({ fileSize: null, sha256: null }), { exists: true, fileSize: 5, sha256: SHA_B });
  t.is(f.verdict, 'ok');
  t.deepEqual(f.unchecked, ['size', 'sha256']);
});

test('the first bad point and every later readable point of the chain become corrupt', (t) => {
  const chain = [
    { id: 'p0', seq: 0, state: 'available' },
    { id: 'p1', seq: 1, state: 'available' },
    { id: 'p2', seq: 2, state: 'error' },
    { id: 'p3', seq: 3, state: 'restoring' },
    { id: 'p4', seq: 4, state: 'deleting' },
  ];
  const ok = judgeFile(want({ seq: 0, pointId: 'p0' }), { exists: true });
  const bad = judgeFile(want({ seq: 1 }), { exists: false });
  t.deepEqual(corruptPoints(chain, [ok]), []);
  t.deepEqual(corruptPoints(chain, [ok, bad]), ['p1', 'p3']);
  t.deepEqual(corruptPoints(chain, [{ ...bad, seq: 0, pointId: 'p0' }]), ['p0', 'p1', 'p3']);
});

test('summary: ok with the file count, or the bad files with their verdicts', (t) => {
  const ok = judgeFile(want(), { exists: true });
  t.deepEqual(summarize([ok]), { ok: true, files: 1, bad: 0, text: 'ok (1 file)' });
  const s = summarize([ok, judgeFile(want({ path: 'u/c/vda.1.qcow2' }), { exists: false })]);
  t.deepEqual(s, { ok: false, files: 2, bad: 1, text: '1 of 2 files not ok: vda.1.qcow2 missing' });
});
