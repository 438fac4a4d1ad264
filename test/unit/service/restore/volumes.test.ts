import test, { type ExecutionContext } from 'ava';
import { VirtpointError, type ErrorCode } from '../../../../src/core/errors.js';
import type { CreateVolumeRequest } from '../../../../src/service/restore/volumes.js';
import { GiB, setup } from './_restore.js';

async function rejects(t: ExecutionContext, p: Promise<unknown>, code: ErrorCode, message?: RegExp) {
  const e = await t.throwsAsync(p);
  t.true(e instanceof VirtpointError, String(e));
  t.is((e as VirtpointError).code, code, e?.message);
  if (message) t.regex(e!.message, message);
}

test('into an allowed directory: flattened, temp file + link (never overwrite), recorded', async (t) => {
  const s = await setup();
  await s.fs.mkdir('/srv/vols');
  await s.fs.mkdir('/data');
  const progress: { done: number; total: number | null }[] = [];
  const v = await s.volumes.createVolume(
    { pointId: s.ps[1]!.id, disk: 'vdb', name: 'restored-data.qcow2', dir: '/srv/vols/' },
    { onProgress: (p) => progress.push(p) },
  );
  const path = '/srv/vols/restored-data.qcow2';
  t.like(v, { name: 'restored-data.qcow2', pointId: s.ps[1]!.id, disk: 'vdb', path, format: 'qcow2' });
  t.deepEqual(v.location, { kind: 'dir', dir: '/srv/vols' });
  t.is(s.data(path), `flat:${s.file(s.ps[1]!, 'vdb')}`);
  t.is(s.fs.files.get(path)?.mode, 0o600);
  t.deepEqual(s.leftovers(), []);
  t.true(s.fs.ops.some((o) => o.startsWith('link /srv/vols/.restored-data.qcow2.virtpoint-tmp-')));
  t.true(s.fs.ops.includes('fsyncDir /srv/vols'));
  t.deepEqual(s.volumes.listVolumes(), [v]);
  t.is(s.catalog.getPoint(s.ps[1]!.id)?.state, 'available');
  t.deepEqual(progress.at(-1), { done: 2 * GiB, total: 2 * GiB });
  const raw = await s.volumes.createVolume({
    pointId: s.ps[0]!.id,
    disk: 'vda',
    name: 'sys.raw',
    dir: '/data',
    format: 'raw',
  });
  t.is(s.images.converts.at(-1)?.opts.format, 'raw');
  t.is(raw.path, '/data/sys.raw');
});

test('a directory not in allowedVolumeDirs is refused, naming the allowed ones', async (t) => {
  const s = await setup();
  for (const dir of ['/etc', '/srv/vols/../../etc', 'srv/vols', '/srv/vols/sub']) {
    await rejects(
      t,
      s.volumes.createVolume({ pointId: s.ps[0]!.id, disk: 'vda', name: 'x', dir }),
      'INVALID_ARGUMENT',
      /allowed directories: \/srv\/vols, \/data/,
    );
  }
  t.is(s.images.converts.length, 0);
});

test('an existing file is never overwritten (ALREADY_EXISTS)', async (t) => {
  const s = await setup();
  s.fs.files.set('/srv/vols/taken', { mode: 0o644, data: 'precious' });
  await s.fs.mkdir('/srv/vols');
  await rejects(
    t,
    s.volumes.createVolume({ pointId: s.ps[0]!.id, disk: 'vda', name: 'taken', dir: '/srv/vols' }),
    'ALREADY_EXISTS',
  );
  t.is(s.data('/srv/vols/taken'), 'precious');
  // appearing while the copy runs: link refuses, the temp file goes
  const created = s.volumes.createVolume({
    pointId: s.ps[0]!.id,
    disk: 'vda',
    name: 'race',
    dir: '/srv/vols',
  });
  s.fs.files.set('/srv/vols/race', { mode: 0o644, data: 'theirs' });
  await rejects(t, created, 'ALREADY_EXISTS');
  t.is(s.data('/srv/vols/race'), 'theirs');
  t.deepEqual(s.leftovers(), []);
  t.deepEqual(s.volumes.listVolumes(), []);
});

test('names and requests are validated', async (t) => {
  const s = await setup();
  const base: CreateVolumeRequest = { pointId: s.ps[0]!.id, disk: 'vda', name: 'ok', dir: '/srv/vols' };
  for (const name of ['', '.hidden', '-opt', 'a/b', '..', 'sp ace', 'x'.repeat(256), 'ümlaut']) {
    await rejects(t, s.volumes.createVolume({ ...base, name }), 'INVALID_ARGUMENT');
  }
  await rejects(
    t,
    s.volumes.createVolume({ pointId: s.ps[0]!.id, disk: 'vda', name: 'n' }),
    'INVALID_ARGUMENT',
    /exactly one/,
  );
  await rejects(t, s.volumes.createVolume({ ...base, pool: 'default' }), 'INVALID_ARGUMENT', /exactly one/);
  await rejects(t, s.volumes.createVolume({ ...base, format: 'vmdk' as 'raw' }), 'INVALID_ARGUMENT');
  await rejects(t, s.volumes.createVolume({ ...base, disk: 'vdz' }), 'DISK_NOT_FOUND');
  await rejects(t, s.volumes.createVolume({ ...base, pointId: '000000000000' }), 'POINT_NOT_FOUND');
  s.catalog.updatePointState(s.ps[0]!.id, 'restoring');
  await rejects(t, s.volumes.createVolume(base), 'POINT_BUSY');
  t.is(s.images.converts.length, 0);
});

test('into a libvirt pool: volume created through the pool API, converted into it (-n), refreshed, recorded', async (t) => {
  const s = await setup();
  s.pools.addPool('default', '/var/lib/libvirt/images');
  const v = await s.volumes.createVolume({
    pointId: s.ps[0]!.id,
    disk: 'vdb',
    name: 'data1',
    pool: 'default',
  });
  const path = '/var/lib/libvirt/images/data1';
  t.deepEqual(s.pools.calls.find((c) => c.method === 'createVolume')?.args, [
    'default',
    { name: 'data1', capacity: 2 * GiB, format: 'qcow2' },
  ]);
  t.like(s.images.converts.at(-1), { target: path, opts: { targetExists: true, format: 'qcow2' } });
  t.deepEqual(
    s.pools.calls.map((c) => c.method),
    ['lookupPool', 'refreshPool', 'createVolume', 'refreshPool'],
  );
  t.is(s.data(path), `flat:${s.file(s.ps[0]!, 'vdb')}`);
  t.like(v, { path, location: { kind: 'pool', pool: 'default' } });
  t.true(s.pools.volumes.has(path));
  await rejects(
    t,
    s.volumes.createVolume({ pointId: s.ps[0]!.id, disk: 'vda', name: 'data1', pool: 'default' }),
    'ALREADY_EXISTS',
  );
  await rejects(
    t,
    s.volumes.createVolume({ pointId: s.ps[0]!.id, disk: 'vda', name: 'x', pool: 'nopool' }),
    'POOL_NOT_FOUND',
  );
  t.is(s.volumes.listVolumes().length, 1);
});

test('a failed copy leaves nothing: the pool volume is deleted, the temp file removed, no record', async (t) => {
  const s = await setup();
  s.pools.addPool('default', '/pool');
  s.images.failNext('convert');
  await rejects(
    t,
    s.volumes.createVolume({ pointId: s.ps[0]!.id, disk: 'vda', name: 'v', pool: 'default' }),
    'COMMAND_FAILED',
  );
  t.false(s.pools.volumes.has('/pool/v'));
  t.false(s.fs.files.has('/pool/v'));
  await s.fs.mkdir('/srv/vols');
  s.images.noSpaceUnder = '/srv/vols/';
  await rejects(
    t,
    s.volumes.createVolume({ pointId: s.ps[0]!.id, disk: 'vda', name: 'v', dir: '/srv/vols' }),
    'NO_SPACE',
  );
  t.deepEqual(
    [...s.fs.files.keys()].filter((f) => f.startsWith('/srv/vols')),
    [],
  );
  t.deepEqual(s.volumes.listVolumes(), []);
  t.is(s.catalog.getPoint(s.ps[0]!.id)?.state, 'available');
});

test('delete: the file or the libvirt volume, then the record; never one a domain uses', async (t) => {
  const s = await setup();
  s.pools.addPool('default', '/pool');
  await s.fs.mkdir('/srv/vols');
  const a = await s.volumes.createVolume({ pointId: s.ps[0]!.id, disk: 'vda', name: 'a', dir: '/srv/vols' });
  const b = await s.volumes.createVolume({ pointId: s.ps[0]!.id, disk: 'vda', name: 'b', pool: 'default' });
  await s.volumes.deleteVolume(a.id);
  t.false(s.fs.files.has('/srv/vols/a'));
  s.hv.addDomain({
    name: 'user',
    disks: [{ target: 'vda', sourcePath: b.path, format: 'qcow2', capacity: GiB }],
  });
  await rejects(t, s.volumes.deleteVolume(b.id), 'IN_USE', /disk of domain user/);
  s.hv.domains.forEach((d, k) => d.name === 'user' && s.hv.domains.delete(k));
  await s.volumes.deleteVolume(b.id);
  t.false(s.pools.volumes.has('/pool/b'));
  t.deepEqual(s.volumes.listVolumes(), []);
  await rejects(t, s.volumes.deleteVolume(b.id), 'VOLUME_NOT_FOUND');
});

test('delete: refused (IN_USE) while only the persistent definition of a running domain, or a shut-off domain, uses the volume', async (t) => {
  const s = await setup();
  await s.fs.mkdir('/srv/vols');
  const v = await s.volumes.createVolume({ pointId: s.ps[0]!.id, disk: 'vdb', name: 'v', dir: '/srv/vols' });
  const other = { target: 'vda', sourcePath: '/vm/other.qcow2', format: 'qcow2', capacity: GiB };
  const disk = { target: 'vdc', sourcePath: v.path, format: 'qcow2', capacity: GiB };
  const cfg = s.hv.addDomain({ name: 'cfg', disks: [other], persistentDisks: [other, disk] });
  await rejects(t, s.volumes.deleteVolume(v.id), 'IN_USE', /volume v is a disk of domain cfg /);
  t.true(s.fs.files.has(v.path));
  s.hv.dom(cfg).state = 'shutoff';
  s.hv.dom(cfg).disks = [other, disk];
  s.hv.dom(cfg).persistentDisks = null;
  await rejects(t, s.volumes.deleteVolume(v.id), 'IN_USE', /domain cfg /);
  s.hv.dom(cfg).disks = [other];
  await s.volumes.deleteVolume(v.id);
  t.false(s.fs.files.has(v.path));
});

test('delete of a pool volume: refused (IN_USE) while a domain names it as a volume disk (pool and volume, no path)', async (t) => {
  const s = await setup();
  s.pools.addPool('default', '/pool');
  const v = await s.volumes.createVolume({ pointId: s.ps[0]!.id, disk: 'vda', name: 'pv', pool: 'default' });
  const disk = {
    target: 'vdc',
    sourcePath: '',
    sourceType: 'volume',
    sourceVolume: { pool: 'default', volume: 'pv' },
    format: 'qcow2',
    capacity: GiB,
  };
  const other = { ...disk, sourceVolume: { pool: 'other', volume: 'pv' } };
  const off = s.hv.addDomain({ name: 'vm-off', state: 'shutoff', disks: [other, disk] });
  await rejects(t, s.volumes.deleteVolume(v.id), 'IN_USE', /domain vm-off /);
  s.hv.dom(off).disks = [other];
  await s.volumes.deleteVolume(v.id);
  t.false(s.pools.volumes.has('/pool/pv'));
});

test('a volume is independent of its chain: deleting the points leaves it', async (t) => {
  const s = await setup();
  await s.fs.mkdir('/srv/vols');
  const v = await s.volumes.createVolume({
    pointId: s.ps[1]!.id,
    disk: 'vda',
    name: 'keep',
    dir: '/srv/vols',
  });
  await s.del.deletePoint(s.ps[0]!.id, { cascade: false });
  t.deepEqual(s.volumes.getVolume(v.id), v);
  t.true(s.fs.files.has(v.path));
});

test('a volume by id or by name; a name two pools share is refused naming both ids', async (t) => {
  const s = await setup();
  s.pools.addPool('default', '/pool');
  s.pools.addPool('fast', '/fast');
  await s.fs.mkdir('/srv/vols');
  const a = await s.volumes.createVolume({
    pointId: s.ps[0]!.id,
    disk: 'vda',
    name: 'web-copy',
    dir: '/srv/vols',
  });
  t.is(s.volumes.getVolume(a.id).id, a.id);
  t.is(s.volumes.getVolume('web-copy').id, a.id);
  const b = await s.volumes.createVolume({
    pointId: s.ps[0]!.id,
    disk: 'vda',
    name: 'twin',
    pool: 'default',
  });
  const c = await s.volumes.createVolume({ pointId: s.ps[0]!.id, disk: 'vda', name: 'twin', pool: 'fast' });
  const err = t.throws(() => s.volumes.getVolume('twin'));
  t.regex(err?.message ?? '', new RegExp(`2 volumes are named twin: .*${b.id}.*${c.id}|${c.id}.*${b.id}`));
  await t.throwsAsync(s.volumes.deleteVolume('twin'));
  t.is(s.volumes.listVolumes().length, 3, 'nothing deleted on an ambiguous name');
  await s.volumes.deleteVolume('web-copy');
  t.false(s.fs.files.has('/srv/vols/web-copy'));
  t.throws(() => s.volumes.getVolume('nope'), { message: /no volume nope/ });
});
