import test from 'ava';
import { randomBytes } from 'node:crypto';
import { SqliteCatalog } from '../../../../src/adapters/sqlite/sqlite-catalog.js';
import { VirtpointError } from '../../../../src/core/errors.js';
import type { Point } from '../../../../src/ports/catalog.js';
import { silentLogger, type Logger } from '../../../../src/ports/logger.js';
import { BackupService } from '../../../../src/service/backup/backup.js';
import { DeleteService } from '../../../../src/service/catalog/delete.js';
import { ImageService } from '../../../../src/service/restore/images.js';
import { FakeHypervisor } from '../../../fakes/fake-hypervisor.js';
import { FakeClock, FakeFs, FakeImageTool } from '../../../fakes/fake-host.js';
import { recordingLogger } from '../../../fakes/recording-logger.js';

const STORE = '/store';

async function setup(points = 4, log: Logger = silentLogger) {
  const hv = new FakeHypervisor();
  const fs = new FakeFs();
  const images = new FakeImageTool(fs);
  const catalog = new SqliteCatalog({ path: ':memory:' });
  images.addSource('/images/a.qcow2', 1 << 30);
  const uuid = hv.addDomain({
    name: 'db1',
    disks: [{ target: 'vda', sourcePath: '/images/a.qcow2', format: 'qcow2', capacity: 1 << 30 }],
  });
  const common = { hypervisor: hv, imageTool: images, catalog, fs, log, storeRoot: STORE };
  const backup = new BackupService({ ...common, clock: new FakeClock(), random: randomBytes, pollMs: 1 });
  const del = new DeleteService(common);
  const ps: Point[] = [];
  for (let i = 0; i < points; i++) ps.push(await backup.backup({ domain: uuid }));
  const file = (p: (typeof ps)[number]) => `${STORE}/${p.disks[0]!.path}`;
  const cps = () => hv.dom(uuid).checkpoints.map((c) => c.name);
  return { hv, fs, images, catalog, uuid, backup, del, ps, file, cps };
}

test('deleting a middle point merges it into its child: the child is rebased onto its parent', async (t) => {
  const { del, ps, images, catalog, file, fs, cps } = await setup();
  const [p0, p1, p2, p3] = ps as [(typeof ps)[0], (typeof ps)[0], (typeof ps)[0], (typeof ps)[0]];
  const res = await del.deletePoint(p1.id, { cascade: false });
  t.deepEqual(res.deleted, [p1.id]);
  t.deepEqual(images.rebases, [{ path: file(p2), backingFile: 'vda.0.qcow2' }]);
  t.false(fs.files.has(file(p1)));
  t.true(fs.files.has(file(p2)) && fs.files.has(file(p3)));
  t.deepEqual(
    catalog.listPoints({ chainId: p0.chainId }).map((p) => p.seq),
    [0, 2, 3],
  );
  t.deepEqual(cps(), [`vp-${p0.chainId}-0`, `vp-${p0.chainId}-2`, `vp-${p0.chainId}-3`]);
});

test('deleting the newest point keeps the chain open; the next incremental builds on the new newest', async (t) => {
  const { del, ps, backup, uuid, hv, catalog, images, file } = await setup(3);
  await del.deletePoint(ps[2]!.id, { cascade: false });
  t.is(catalog.getChain(ps[0]!.chainId)?.state, 'open');
  t.deepEqual(images.rebases, []);
  const next = await backup.backup({ domain: uuid });
  t.is(next.chainId, ps[0]!.chainId);
  t.is(next.seq, 2, 'the deleted seq is free again: its file and checkpoint are gone');
  t.is(hv.backups.at(-1)?.spec.incrementalFrom, `vp-${ps[0]!.chainId}-1`);
  t.is(images.images.get(file(next))?.opts.backingFile, 'vda.1.qcow2');
});

test('cascade deletes the point and every later one', async (t) => {
  const { del, ps, catalog, cps } = await setup();
  const res = await del.deletePoint(ps[1]!.id, { cascade: true });
  t.deepEqual(res.deleted, [ps[3]!.id, ps[2]!.id, ps[1]!.id]);
  t.deepEqual(
    catalog.listPoints().map((p) => p.seq),
    [0],
  );
  t.deepEqual(cps(), [`vp-${ps[0]!.chainId}-0`]);
});

test('deleting the full point deletes the whole chain: points, files, checkpoints, directory', async (t) => {
  const { del, ps, catalog, fs, cps, hv } = await setup(3);
  hv.dom(ps[0]!.domainUuid).checkpoints.push({
    ...hv.dom(ps[0]!.domainUuid).checkpoints[0]!,
    name: 'other-tool',
  });
  const res = await del.deletePoint(ps[0]!.id, { cascade: false });
  t.is(res.deleted.length, 3);
  t.is(catalog.getChain(ps[0]!.chainId), null);
  t.deepEqual(catalog.listPoints(), []);
  t.deepEqual(
    [...fs.files.keys()].filter((f) => f.startsWith(STORE)),
    [],
  );
  t.false(fs.dirs.has(`${STORE}/${ps[0]!.domainUuid}/${ps[0]!.chainId}`));
  t.deepEqual(cps(), ['other-tool']);
});

test('a shut-off domain is started paused to delete the checkpoint and stopped again', async (t) => {
  const { del, ps, hv, uuid } = await setup(3);
  hv.dom(uuid).state = 'shutoff';
  await del.deletePoint(ps[1]!.id, { cascade: false });
  t.deepEqual(hv.calls.filter((c) => c.method === 'startDomain').at(-1)?.args[1], { paused: true });
  t.is(hv.dom(uuid).state, 'shutoff');
});

test('a checkpoint that cannot be deleted seals the chain when the newest point goes', async (t) => {
  const { del, ps, hv, catalog, backup, uuid } = await setup(2);
  hv.failNext('deleteCheckpoint', new VirtpointError('LIBVIRT_ERROR', 'bitmap busy'));
  await del.deletePoint(ps[1]!.id, { cascade: false });
  t.is(catalog.getChain(ps[0]!.chainId)?.state, 'sealed');
  const next = await backup.backup({ domain: uuid });
  t.is(next.kind, 'full');
});

test('a failure leaves the point delete-failed with the reason; a retry works', async (t) => {
  const { del, ps, images, catalog } = await setup(3);
  images.failRebase = new VirtpointError('COMMAND_FAILED', 'qemu-img rebase: I/O error');
  const err = await t.throwsAsync(del.deletePoint(ps[1]!.id, { cascade: false }));
  t.is((err as VirtpointError).code, 'COMMAND_FAILED');
  const p = catalog.getPoint(ps[1]!.id);
  t.is(p?.state, 'delete-failed');
  t.is(p?.error?.code, 'COMMAND_FAILED');
  images.failRebase = null;
  await del.deletePoint(ps[1]!.id, { cascade: false });
  t.is(catalog.getPoint(ps[1]!.id), null);
});

test('busy points and unknown ids are refused', async (t) => {
  const { del, ps, catalog } = await setup(2);
  catalog.updatePointState(ps[1]!.id, 'restoring');
  const busy = await t.throwsAsync(del.deletePoint(ps[1]!.id, { cascade: false }));
  t.is((busy as VirtpointError).code, 'POINT_BUSY');
  const chainBusy = await t.throwsAsync(del.deletePoint(ps[0]!.id, { cascade: false }));
  t.is((chainBusy as VirtpointError).code, 'POINT_BUSY');
  const missing = await t.throwsAsync(del.deletePoint('000000000000', { cascade: false }));
  t.is((missing as VirtpointError).code, 'POINT_NOT_FOUND');
});

// ---- protection by linked images ----

async function withLinkedImage(points: number, on: number, linked = true) {
  const s = await setup(points);
  const images = new ImageService({
    hypervisor: s.hv,
    imageTool: s.images,
    catalog: s.catalog,
    fs: s.fs,
    random: randomBytes,
    log: silentLogger,
    storeRoot: STORE,
  });
  await images.createImage({ pointId: s.ps[on]!.id, disk: 'vda', name: 'thin', linked });
  return { ...s, images: images };
}

async function protectedError(t: import('ava').ExecutionContext, p: Promise<unknown>) {
  const e = await t.throwsAsync(p);
  t.is((e as VirtpointError).code, 'POINT_PROTECTED');
  t.regex(e!.message, /image thin/);
}

test('a linked image protects its point, its ancestors, the chain and cascades that include it', async (t) => {
  const { del, ps, catalog, fs, file } = await withLinkedImage(4, 2);
  await protectedError(t, del.deletePoint(ps[2]!.id, { cascade: false }));
  await protectedError(t, del.deletePoint(ps[1]!.id, { cascade: false }));
  await protectedError(t, del.deletePoint(ps[1]!.id, { cascade: true }));
  await protectedError(t, del.deletePoint(ps[0]!.id, { cascade: false }));
  await protectedError(t, del.deleteChain(ps[0]!.chainId));
  t.throws(() => del.check(ps[1]!.id, false), { code: 'POINT_PROTECTED' });
  // nothing was touched
  t.deepEqual(
    catalog.listPoints().map((p) => p.state),
    ['available', 'available', 'available', 'available'],
  );
  for (const p of ps) t.true(fs.files.has(file(p)));
});

test('a later point can still be merged into its child or deleted; the protected files stay', async (t) => {
  const { del, ps, file, fs, catalog } = await withLinkedImage(5, 1);
  const before = fs.files.get(file(ps[1]!));
  await del.deletePoint(ps[2]!.id, { cascade: false }); // merged into seq 3
  await del.deletePoint(ps[4]!.id, { cascade: false }); // the newest
  await del.deletePoint(ps[3]!.id, { cascade: true });
  t.deepEqual(
    catalog.listPoints().map((p) => p.seq),
    [0, 1],
  );
  t.is(fs.files.get(file(ps[1]!)), before);
});

test('a full image protects the point it was made from (point delete, cascade, chain), not its ancestors', async (t) => {
  const { del, ps, catalog, fs, file, images } = await withLinkedImage(4, 2, false);
  t.throws(() => del.check(ps[2]!.id, false), { code: 'POINT_PROTECTED', message: /image thin/ });
  await protectedError(t, del.deletePoint(ps[2]!.id, { cascade: false }));
  await protectedError(t, del.deletePoint(ps[1]!.id, { cascade: true }));
  await protectedError(t, del.deletePoint(ps[0]!.id, { cascade: false }));
  await protectedError(t, del.deleteChain(ps[0]!.chainId));
  t.throws(() => del.checkChain(ps[0]!.chainId), { code: 'POINT_PROTECTED', message: /image thin/ });
  t.deepEqual(
    catalog.listPoints().map((p) => p.state),
    ['available', 'available', 'available', 'available'],
  );
  // A copy does not need the backing chain: an ancestor merges into the protected point.
  await del.deletePoint(ps[1]!.id, { cascade: false });
  t.true(fs.files.has(file(ps[2]!)));
  await images.deleteImage('thin');
  await del.deletePoint(ps[2]!.id, { cascade: false });
  t.deepEqual(
    catalog.listPoints().map((p) => p.seq),
    [0, 3],
  );
});

test('after the image is deleted, the point can be deleted', async (t) => {
  const { del, ps, images, catalog } = await withLinkedImage(3, 1);
  await protectedError(t, del.deletePoint(ps[0]!.id, { cascade: false }));
  await images.deleteImage('thin');
  await del.deletePoint(ps[0]!.id, { cascade: false });
  t.is(catalog.getChain(ps[0]!.chainId), null);
});

test('every deletion is logged at info with point, chain, domain UUID and name, how and reason', async (t) => {
  const rec = recordingLogger();
  const { del, ps, uuid } = await setup(5, rec.log);
  const deleted = () => rec.records.filter((r) => r.msg === 'point deleted');
  await del.deletePoint(ps[1]!.id, { cascade: false });
  await del.deletePoint(ps[3]!.id, { cascade: true, reason: 'by hand' });
  await del.deleteChain(ps[0]!.chainId, 'retention count:1 of task web (delete-chain)');
  t.true(deleted().every((r) => r.level === 'info'));
  t.deepEqual(
    deleted().map((r) => [r.obj.point, r.obj.how, r.obj.reason]),
    [
      [ps[1]!.id, 'merge', 'manual'],
      [ps[4]!.id, 'cascade', 'by hand'],
      [ps[3]!.id, 'cascade', 'by hand'],
      [ps[0]!.id, 'chain', 'retention count:1 of task web (delete-chain)'],
      [ps[2]!.id, 'chain', 'retention count:1 of task web (delete-chain)'],
    ],
  );
  for (const r of deleted()) t.like(r.obj, { chain: ps[0]!.chainId, domain: uuid, domainName: 'db1' });
});
