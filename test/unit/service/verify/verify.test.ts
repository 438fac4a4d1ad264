import test from 'ava';
import { decideChain } from '../../../../src/core/chain-decision.js';
import { pointDiskPath } from '../../../../src/core/store-layout.js';
import { silentLogger } from '../../../../src/ports/logger.js';
import { VerifyService } from '../../../../src/service/verify/verify.js';
import { ROOT, setup, U } from './_verify.js';

test('quick verify of the tip reads every file of the chain and finds them ok', async (t) => {
  const { verify, points, catalog } = setup();
  const r = await verify.verifyPoint(points[3]!.id);
  t.true(r.ok);
  t.is(r.files.length, 8);
  t.deepEqual(
    r.files.map((f) => `${f.seq}/${f.target}`),
    ['0/vda', '0/vdb', '1/vda', '1/vdb', '2/vda', '2/vdb', '3/vda', '3/vdb'],
  );
  t.is(r.summary, 'ok (8 files)');
  t.like(catalog.getPoint(points[3]!.id), { state: 'available', verify: { state: 'ok' } });
  // the ancestors read through are not recorded as verified themselves
  t.is(catalog.getPoint(points[1]!.id)?.verify.state, 'never');
});

test('a flipped byte in point 2: checksum-mismatch, points 2 and 3 corrupt, point 1 ok, next backup full', async (t) => {
  const { verify, points, catalog, fs, file, chain } = setup();
  fs.files.get(file(2, 'vdb'))!.data = 'bytes of vdb at 2'.replace('b at', 'c at');
  const r = await verify.verifyPoint(points[3]!.id);
  t.false(r.ok);
  const bad = r.files.filter((f) => f.verdict !== 'ok');
  t.deepEqual(
    bad.map((f) => [f.seq, f.target, f.verdict]),
    [[2, 'vdb', 'checksum-mismatch']],
  );
  t.deepEqual(r.corrupt, [points[2]!.id, points[3]!.id]);
  t.is(catalog.getPoint(points[2]!.id)?.state, 'corrupt');
  t.is(catalog.getPoint(points[3]!.id)?.state, 'corrupt');
  t.is(catalog.getPoint(points[1]!.id)?.state, 'available');
  t.like(catalog.getChain(chain.id), { state: 'sealed', sealReason: 'previous-point-corrupt' });
  // point 1 still verifies ok
  t.true((await verify.verifyPoint(points[1]!.id)).ok);
  // the next backup of the disk set starts a new chain, saying why
  const sealed = catalog.getChain(chain.id)!;
  const decision = decideChain({
    chain: { ...sealed, points: catalog.listPoints({ chainId: chain.id }) },
    disks: [
      { target: 'vda', format: 'qcow2', capacity: 1 << 20 },
      { target: 'vdb', format: 'qcow2', capacity: 1 << 20 },
    ],
    checkpoints: [],
  });
  t.like(decision, { kind: 'full', reason: 'previous-point-corrupt' });
});

test('a missing file, a truncated file, a wrong backing file, a qemu-img error: each named', async (t) => {
  const { verify, points, fs, images, file } = setup();
  fs.files.delete(file(0, 'vda'));
  fs.files.get(file(1, 'vda'))!.size = 3;
  images.images.get(file(1, 'vdb'))!.opts = { format: 'qcow2', size: 1 << 20, backingFile: 'vdb.7.qcow2' };
  images.checkErrors.set(file(2, 'vda'), '3 corruptions');
  const r = await verify.verifyPoint(points[3]!.id);
  t.deepEqual(
    r.files.filter((f) => f.verdict !== 'ok').map((f) => `${f.seq}/${f.target} ${f.verdict}`),
    ['0/vda missing', '1/vda size-mismatch', '1/vdb backing-mismatch', '2/vda qemu-img-error'],
  );
  t.deepEqual(
    r.corrupt,
    points.map((p) => p.id),
  );
  t.regex(r.summary, /^4 of 8 files not ok: vda\.0\.qcow2 missing, vda\.1\.qcow2 size-mismatch/);
});

test('deep verify also reads each disk through the whole chain; a read error fails it', async (t) => {
  const { verify, points, images, file, catalog } = setup(2);
  const ok = await verify.verifyPoint(points[1]!.id, { deep: true });
  t.true(ok.ok);
  t.deepEqual(images.reads, [file(1, 'vda'), file(1, 'vdb')]);
  images.readErrors.set(file(1, 'vdb'), 'Could not read cluster');
  const bad = await verify.verifyPoint(points[1]!.id, { deep: true });
  t.false(bad.ok);
  t.like(
    bad.files.find((f) => f.verdict !== 'ok'),
    { seq: 1, target: 'vdb', verdict: 'qemu-img-error' },
  );
  t.is(catalog.getPoint(points[1]!.id)?.state, 'corrupt');
  t.true(catalog.getPoint(points[1]!.id)?.verify.detail?.deep);
});

test('a point from before checksums verifies ok, saying what it could not check', async (t) => {
  const { catalog, fs, images } = setup(0);
  const chain = catalog.listChains()[0]!;
  const path = pointDiskPath(U, chain.id, 'vda', 0);
  const p = catalog.createPoint({
    name: 'old',
    domainUuid: U,
    chainId: chain.id,
    seq: 0,
    kind: 'full',
    trigger: 'manual',
    newChainReason: 'no-chain',
    disks: [
      { target: 'vda', path, virtualSize: 1, format: 'qcow2', checkpoint: null },
      {
        target: 'vdb',
        path: pointDiskPath(U, chain.id, 'vdb', 0),
        virtualSize: 1,
        format: 'qcow2',
        checkpoint: null,
      },
    ],
  });
  catalog.updatePointState(p.id, 'available');
  for (const t2 of ['vda', 'vdb']) {
    const f = `${ROOT}/${pointDiskPath(U, chain.id, t2, 0)}`;
    fs.files.set(f, { mode: 0o600, data: 'x' });
    images.images.set(f, { opts: { format: 'qcow2', size: 1 }, actualSize: 1, bitmaps: [] });
  }
  const verify = new VerifyService({ catalog, fs, imageTool: images, log: silentLogger, storeRoot: ROOT });
  const r = await verify.verifyPoint(p.id);
  t.true(r.ok);
  t.deepEqual(r.files[0]!.unchecked, ['size', 'sha256']);
});

test('busy, failed and unknown points are refused and nothing is recorded', async (t) => {
  const { verify, points, catalog } = setup(2);
  catalog.updatePointState(points[1]!.id, 'restoring');
  await t.throwsAsync(verify.verifyPoint(points[1]!.id), { code: 'POINT_BUSY' });
  await t.throwsAsync(verify.verifyPoint('000000000000'), { code: 'POINT_NOT_FOUND' });
  t.is(catalog.getPoint(points[1]!.id)?.verify.state, 'never');
});

test('chain verify reads each file once and records every point by its own lineage', async (t) => {
  const { verify, points, catalog, fs, file, chain } = setup();
  fs.files.get(file(2, 'vda'))!.size = 1;
  const before = fs.ops.filter((o) => o.startsWith('checksum')).length;
  const r = await verify.verifyChain(chain.id);
  t.is(fs.ops.filter((o) => o.startsWith('checksum')).length - before, 8, 'each of the 8 files once');
  t.false(r.ok);
  t.deepEqual(
    r.points.map((p) => p.ok),
    [true, true, false, false],
  );
  t.deepEqual(r.corrupt, [points[2]!.id, points[3]!.id]);
  t.like(catalog.getPoint(points[1]!.id), { state: 'available', verify: { state: 'ok' } });
  t.like(catalog.getPoint(points[2]!.id), { state: 'corrupt', verify: { state: 'failed' } });
  t.is(r.summary, '2 of 4 points not ok');
  await t.throwsAsync(verify.verifyChain('000000000000'), { code: 'CHAIN_NOT_FOUND' });
});
