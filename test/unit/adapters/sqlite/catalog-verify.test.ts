import test from 'ava';

import type { VerifyDetail } from '../../../../src/ports/catalog.js';
import { memoryCatalog, newPoint, U1 } from './_catalog.js';

const SHA = (c: string) => c.repeat(64);

/** A chain of three available points of vda + vdb. */
function chainOf3() {
  const { catalog, clock } = memoryCatalog();
  catalog.upsertDomain({ uuid: U1, name: 'web' });
  const chain = catalog.createChain({ domainUuid: U1, diskSet: ['vda', 'vdb'] });
  const points = [0, 1, 2].map((seq) => {
    const p = catalog.createPoint(newPoint(U1, chain.id, seq));
    return catalog.updatePointState(p.id, 'available');
  });
  return { catalog, clock, chain, points };
}

const detail = (summary: string): VerifyDetail => ({ deep: false, summary, files: [] });

test('checksums are recorded with the available transition, or later for a rewritten file', (t) => {
  const { catalog } = memoryCatalog();
  catalog.upsertDomain({ uuid: U1, name: 'web' });
  const chain = catalog.createChain({ domainUuid: U1, diskSet: ['vda', 'vdb'] });
  const p = catalog.createPoint(newPoint(U1, chain.id, 0));
  const done = catalog.updatePointState(p.id, 'available', {
    sizes: { vda: 10, vdb: 20 },
    checksums: { vda: { size: 100, sha256: SHA('a') }, vdb: { size: 200, sha256: SHA('b') } },
  });
  t.like(done.disks[0], { target: 'vda', size: 10, fileSize: 100, sha256: SHA('a') });
  t.like(done.disks[1], { target: 'vdb', size: 20, fileSize: 200, sha256: SHA('b') });
  const merged = catalog.verify.recordChecksums(p.id, { vdb: { size: 300, sha256: SHA('c') } });
  t.like(merged.disks[1], { fileSize: 300, sha256: SHA('c') });
  t.like(merged.disks[0], { fileSize: 100, sha256: SHA('a') });
  t.throws(() => catalog.verify.recordChecksums(p.id, { vdc: { size: 1, sha256: SHA('d') } }), {
    code: 'DISK_NOT_FOUND',
  });
  t.throws(() => catalog.verify.recordChecksums(p.id, { vda: { size: 1, sha256: 'XYZ' } }), {
    code: 'INVALID_ARGUMENT',
  });
  t.throws(() => catalog.verify.recordChecksums('nope', {}), { code: 'POINT_NOT_FOUND' });
});

test('an ok verify records state ok and when; nothing else changes', (t) => {
  const { catalog, points } = chainOf3();
  const p = catalog.verify.recordVerify({
    pointId: points[1]!.id,
    ok: true,
    detail: detail('ok (4 files)'),
    corrupt: [],
  });
  t.is(p.state, 'available');
  t.deepEqual(p.verify.state, 'ok');
  t.true(typeof p.verify.at === 'number');
  t.is(p.verify.detail?.summary, 'ok (4 files)');
  t.is(catalog.getChain(p.chainId)?.state, 'open');
});

test('a failed verify marks the bad point and every later one corrupt and seals the chain, in one go', (t) => {
  const { catalog, points, chain } = chainOf3();
  const [p0, p1, p2] = points;
  const v = catalog.verify.recordVerify({
    pointId: p2!.id,
    ok: false,
    detail: detail('1 of 6 files not ok: vdb.1.qcow2 checksum-mismatch'),
    corrupt: [p1!.id, p2!.id],
  });
  t.is(v.state, 'corrupt');
  t.is(v.verify.state, 'failed');
  t.like(catalog.getPoint(p1!.id), { state: 'corrupt', verify: { state: 'failed' } });
  t.like(catalog.getPoint(p0!.id), { state: 'available', verify: { state: 'never' } });
  t.like(catalog.getChain(chain.id), { state: 'sealed', sealReason: 'previous-point-corrupt' });
  // corrupt is terminal but deletable
  t.throws(() => catalog.updatePointState(p1!.id, 'restoring'), { code: 'INVALID_STATE' });
  t.notThrows(() => catalog.updatePointState(p1!.id, 'deleting'));
});

test('a verify naming a point that cannot become corrupt changes nothing', (t) => {
  const { catalog, points, chain } = chainOf3();
  catalog.updatePointState(points[2]!.id, 'deleting');
  t.throws(
    () =>
      catalog.verify.recordVerify({
        pointId: points[1]!.id,
        ok: false,
        detail: detail('bad'),
        corrupt: [points[1]!.id, points[2]!.id],
      }),
    { code: 'INVALID_STATE' },
  );
  t.like(catalog.getPoint(points[1]!.id), { state: 'available', verify: { state: 'never' } });
  t.is(catalog.getChain(chain.id)?.state, 'open');
});

test('listDue: available points never verified (oldest first), then least recently verified', (t) => {
  const { catalog, clock, points } = chainOf3();
  catalog.verify.recordVerify({ pointId: points[0]!.id, ok: true, detail: detail('ok'), corrupt: [] });
  const verifiedAt = catalog.getPoint(points[0]!.id)!.verify.at!;
  catalog.updatePointState(points[2]!.id, 'deleting');
  t.deepEqual(
    catalog.verify.listDue(verifiedAt + 1, 10).map((p) => p.id),
    [points[1]!.id, points[0]!.id],
  );
  t.deepEqual(
    catalog.verify.listDue(verifiedAt, 10).map((p) => p.id),
    [points[1]!.id],
  );
  t.deepEqual(
    catalog.verify.listDue(clock.t + 10_000, 1).map((p) => p.id),
    [points[1]!.id],
  );
});
