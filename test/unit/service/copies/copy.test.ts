import test from 'ava';

import { decryptBuffer } from '../../../../src/core/encryption.js';
import { VirtpointError } from '../../../../src/core/errors.js';
import { pointNeeds, readListing } from '../../../../src/service/remote/scan.js';
import { PART, setup } from './_copy.js';

for (const encrypted of [false, true]) {
  test(`chain copy (${encrypted ? 'encrypted' : 'plain'}): files then manifest per point, oldest first; scan.ts reads every point back complete with the same bytes`, async (t) => {
    const r = await setup(encrypted);
    const chainId = r.points[0]!.chainId;
    const res = await r.svc.copy(r.svc.chainPoints(chainId), 'off', { jobId: null });
    t.deepEqual(
      res.points.map((p) => p.pointId),
      r.points.map((p) => p.id),
    );
    // Order: for each point its files (multipart for the full), then its manifest.
    const writes = r.store.calls.filter((c) => /^(put|complete) /.test(c)).map((c) => c.split(' ')[1]!);
    const kinds = writes.map((k) => (k.includes('/points/') ? 'm' : 'f')).join('');
    t.is(kinds, 'ffmffmffm');
    t.true(r.store.calls.some((c) => c.startsWith('part ') && c.endsWith(' 3')));
    t.is(r.store.uploads.size, 0);
    t.deepEqual(r.catalog.copies.listUploads(), []);
    const hostId = r.catalog.copies.hostId();
    const listing = await readListing(r.store, r.key);
    t.deepEqual(listing.unreadable, []);
    t.deepEqual(
      listing.points.map((p) => [p.pointId, p.hostId, p.hostName, p.encrypted]),
      r.points.map((p) => [p.id, hostId, 'h1', encrypted]),
    );
    for (const p of listing.points) t.deepEqual(pointNeeds(p, listing).missing, []);
    for (const [path, bytes] of r.data) {
      const rel = path.slice('/store/'.length);
      const o = r.store.objects.get(`${hostId}/${rel}${encrypted ? '.enc' : ''}`);
      t.truthy(o, rel);
      t.deepEqual(r.key === null ? o!.body : decryptBuffer(r.key, o!.body), bytes);
    }
    const copies = r.catalog.copies.listCopies({ targetId: r.target.id });
    t.deepEqual(
      copies.map((c) => c.state),
      ['copied', 'copied', 'copied'],
    );
    t.true(copies[0]!.bytes > 4 * PART);
  });
}

test('point copy: copies its ancestors first; a second copy skips every file already there (same key and size)', async (t) => {
  const r = await setup(false);
  const last = r.points[2]!;
  t.deepEqual(
    r.svc.pointsFor(last.id).map((p) => p.id),
    r.points.map((p) => p.id),
  );
  await r.svc.copy(r.svc.pointsFor(r.points[1]!.id), 'off');
  r.store.calls.length = 0;
  const res = await r.svc.copy(r.svc.pointsFor(last.id), 'off');
  t.deepEqual(
    res.points.map((p) => [p.skipped.length, p.bytes]),
    [
      [2, 0],
      [2, 0],
      [0, 600],
    ],
  );
  t.false(r.store.calls.some((c) => c.startsWith('part ') || c.startsWith('begin ')));
});

test('resume: an unencrypted upload continues after its last recorded part; a failure marks the copy failed with its code', async (t) => {
  const r = await setup(false);
  const full = r.points[0]!;
  let n = 0;
  r.store.failOn = (c) => {
    if (c.startsWith('part ') && ++n === 2)
      throw new VirtpointError('TARGET_UNREACHABLE', 'connection reset');
  };
  const err = await t.throwsAsync(r.svc.copy([full], 'off'));
  t.is((err as VirtpointError).code, 'TARGET_UNREACHABLE');
  t.like(r.catalog.copies.listCopies({ pointId: full.id })[0], { state: 'failed' });
  const [u] = r.catalog.copies.listUploads();
  t.is(u?.parts.length, 1);
  r.store.failOn = null;
  r.store.calls.length = 0;
  r.files.reads = [];
  await r.svc.copy([full], 'off');
  // The same upload id, parts 2 and 3 only, read from the second part on.
  const parts = r.store.calls.filter((c) => c.startsWith('part ')).map((c) => c.split(' ')[2]);
  // vda failed at its part 2 (resumed there), vdb had not begun.
  t.deepEqual(parts, ['2', '3', '1', '2', '3']);
  t.true(r.files.reads.some((x) => x.endsWith(`@${PART}`)));
  t.false(r.store.calls.some((c) => c === `begin ${u!.key}`));
  t.like(r.catalog.copies.listCopies({ pointId: full.id })[0], { state: 'copied' });
  t.deepEqual(r.catalog.copies.listUploads(), []);
});

test('host id: generated once, then the same', async (t) => {
  const r = await setup(false);
  const id = r.catalog.copies.hostId();
  t.regex(id, /^[0-9a-f]{12}$/);
  t.is(r.catalog.copies.hostId(), id);
});
