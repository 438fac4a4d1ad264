import test, { type ExecutionContext } from 'ava';
import { randomBytes } from 'node:crypto';
import { VirtpointError, type ErrorCode } from '../../../../src/core/errors.js';
import { silentLogger } from '../../../../src/ports/logger.js';
import { ImageService } from '../../../../src/service/restore/images.js';
import { GiB, IMAGES, STORE, setup } from './_restore.js';

async function rejects(t: ExecutionContext, p: Promise<unknown>, code: ErrorCode, message?: RegExp) {
  const e = await t.throwsAsync(p);
  t.true(e instanceof VirtpointError, String(e));
  t.is((e as VirtpointError).code, code, e?.message);
  if (message) t.regex(e!.message, message);
}

test('full image: a flattened qcow2 in the image directory, recorded, protects its point (not the ancestors)', async (t) => {
  const s = await setup();
  const progress: { done: number; total: number | null }[] = [];
  const img = await s.imagesSvc.createImage(
    { pointId: s.ps[1]!.id, disk: 'vda', name: 'golden.qcow2' },
    { onProgress: (p) => progress.push(p) },
  );
  const path = `${IMAGES}/golden.qcow2`;
  t.like(img, { name: 'golden.qcow2', pointId: s.ps[1]!.id, disk: 'vda', path, linked: false });
  t.is(s.data(path), `flat:${s.file(s.ps[1]!, 'vda')}`);
  t.like(s.images.converts.at(-1)?.opts, { format: 'qcow2' });
  t.is(s.fs.files.get(path)?.mode, 0o600);
  t.deepEqual(s.leftovers(), []);
  t.deepEqual(progress.at(-1), { done: GiB, total: GiB });
  t.deepEqual(s.catalog.artifacts.pointProtections(s.ps[1]!.id), ['golden.qcow2']);
  t.deepEqual(s.catalog.artifacts.pointProtections(s.ps[0]!.id), []);
  t.deepEqual(s.imagesSvc.listImages(), [img]);
  t.is(s.catalog.getPoint(s.ps[1]!.id)?.state, 'available');
});

test('linked image: a thin overlay on the absolute path of the point file (no copy); the point is protected', async (t) => {
  const s = await setup();
  const img = await s.imagesSvc.createImage({
    pointId: s.ps[1]!.id,
    disk: 'vdb',
    name: 'thin',
    linked: true,
  });
  t.true(img.linked);
  t.is(s.images.converts.length, 0);
  const opts = s.images.images.get(`${IMAGES}/thin`)?.opts;
  t.deepEqual(opts, {
    format: 'qcow2',
    size: 2 * GiB,
    backingFile: s.file(s.ps[1]!, 'vdb'),
    backingFormat: 'qcow2',
  });
  t.true(opts!.backingFile!.startsWith(`${STORE}/`));
  t.deepEqual(s.catalog.artifacts.pointProtections(s.ps[1]!.id), ['thin']);
  t.deepEqual(s.catalog.artifacts.pointProtections(s.ps[0]!.id), ['thin']);
  t.deepEqual(s.leftovers(), []);
});

test('names are unique and files never overwritten', async (t) => {
  const s = await setup();
  await s.imagesSvc.createImage({ pointId: s.ps[0]!.id, disk: 'vda', name: 'one' });
  await rejects(
    t,
    s.imagesSvc.createImage({ pointId: s.ps[0]!.id, disk: 'vda', name: 'one', linked: true }),
    'ALREADY_EXISTS',
  );
  s.fs.files.set(`${IMAGES}/stray`, { mode: 0o644, data: 'theirs' });
  await rejects(
    t,
    s.imagesSvc.createImage({ pointId: s.ps[0]!.id, disk: 'vda', name: 'stray' }),
    'ALREADY_EXISTS',
  );
  t.is(s.data(`${IMAGES}/stray`), 'theirs');
  for (const name of ['.x', '-x', 'a/b', '']) {
    await rejects(
      t,
      s.imagesSvc.createImage({ pointId: s.ps[0]!.id, disk: 'vda', name }),
      'INVALID_ARGUMENT',
    );
  }
  await rejects(
    t,
    s.imagesSvc.createImage({ pointId: s.ps[0]!.id, disk: 'vdq', name: 'q' }),
    'DISK_NOT_FOUND',
  );
});

test('a failed copy leaves no file, no record, no protection; the point is available', async (t) => {
  const s = await setup();
  s.images.failNext('convert');
  await rejects(
    t,
    s.imagesSvc.createImage({ pointId: s.ps[0]!.id, disk: 'vda', name: 'f' }),
    'COMMAND_FAILED',
  );
  s.images.failNext('create');
  await rejects(
    t,
    s.imagesSvc.createImage({ pointId: s.ps[0]!.id, disk: 'vda', name: 'l', linked: true }),
    'COMMAND_FAILED',
  );
  s.fs.failNext('link');
  await rejects(
    t,
    s.imagesSvc.createImage({ pointId: s.ps[0]!.id, disk: 'vda', name: 'k', linked: true }),
    'IO_ERROR',
  );
  t.deepEqual(
    [...s.fs.files.keys()].filter((f) => f.startsWith(IMAGES)),
    [],
  );
  t.deepEqual(s.imagesSvc.listImages(), []);
  t.deepEqual(s.catalog.artifacts.pointProtections(s.ps[0]!.id), []);
  t.is(s.catalog.getPoint(s.ps[0]!.id)?.state, 'available');
});

test('delete: the file and the record go (the protection with them); never an image a domain uses', async (t) => {
  const s = await setup();
  const img = await s.imagesSvc.createImage({
    pointId: s.ps[1]!.id,
    disk: 'vda',
    name: 'thin',
    linked: true,
  });
  s.hv.addDomain({
    name: 'clone',
    disks: [{ target: 'vda', sourcePath: img.path, format: 'qcow2', capacity: GiB }],
  });
  await rejects(t, s.imagesSvc.deleteImage('thin'), 'IN_USE', /disk of domain clone/);
  for (const [k, d] of s.hv.domains) if (d.name === 'clone') s.hv.domains.delete(k);
  await s.imagesSvc.deleteImage('thin');
  t.false(s.fs.files.has(img.path));
  t.deepEqual(s.catalog.artifacts.pointProtections(s.ps[1]!.id), []);
  await rejects(t, s.imagesSvc.deleteImage('thin'), 'NOT_FOUND');
});

test('delete: refused (IN_USE, every user named) while a shut-off domain or only the persistent definition of a running one uses the image', async (t) => {
  const s = await setup();
  const img = await s.imagesSvc.createImage({ pointId: s.ps[1]!.id, disk: 'vda', name: 'golden' });
  const disk = { target: 'vdz', sourcePath: img.path, format: 'qcow2', capacity: GiB };
  const other = { target: 'vda', sourcePath: '/vm/other.qcow2', format: 'qcow2', capacity: GiB };
  // `virsh define` of a stopped clone, and `virsh attach-disk … --config` to a running domain.
  s.hv.addDomain({ name: 'off', state: 'shutoff', disks: [other, disk] });
  s.hv.addDomain({ name: 'cfg', disks: [other], persistentDisks: [other, disk] });
  await rejects(t, s.imagesSvc.deleteImage('golden'), 'IN_USE', /domains cfg, off/);
  t.true(s.fs.files.has(img.path));
  t.not(s.imagesSvc.getImage('golden'), null);
  for (const [k, d] of s.hv.domains) if (d.name === 'off') s.hv.domains.delete(k);
  await rejects(t, s.imagesSvc.deleteImage('golden'), 'IN_USE', /disk of domain cfg /);
  for (const [k, d] of s.hv.domains) if (d.name === 'cfg') s.hv.domains.delete(k);
  await s.imagesSvc.deleteImage('golden');
  t.false(s.fs.files.has(img.path));
});

test('the image directory is configurable and created on first use', async (t) => {
  const s = await setup();
  const svc = new ImageService({
    hypervisor: s.hv,
    imageTool: s.images,
    catalog: s.catalog,
    fs: s.fs,
    random: randomBytes,
    log: silentLogger,
    storeRoot: STORE,
    imageDir: '/srv/images',
  });
  const img = await svc.createImage({ pointId: s.ps[0]!.id, disk: 'vda', name: 'x' });
  t.is(img.path, '/srv/images/x');
  t.true(s.fs.dirs.has('/srv/images'));
  t.throws(
    () =>
      new ImageService({
        ...s,
        hypervisor: s.hv,
        imageTool: s.images,
        random: randomBytes,
        log: silentLogger,
        storeRoot: STORE,
        imageDir: 'rel',
      }),
    {
      code: 'INVALID_ARGUMENT',
    },
  );
});
