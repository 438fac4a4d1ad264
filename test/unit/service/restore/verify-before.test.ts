import test from 'ava';

import { setup } from './_restore.js';

test('rollback checks the files it reads first: a changed file stops it before the domain is touched', async (t) => {
  const s = await setup();
  const [p0, p1] = s.ps;
  const f = s.fs.files.get(s.file(p0!, 'vdb'))!;
  f.data = `X${f.data!.slice(1)}`; // same length, other bytes
  const before = { vda: s.data('/vm/db1-vda.qcow2'), vdb: s.data('/vm/db1-vdb.qcow2') };
  const e = await t.throwsAsync(s.restore.rollback({ domain: s.uuid, pointId: p1!.id }), {
    code: 'POINT_CORRUPT',
  });
  t.regex(e.message, /vdb\.0\.qcow2 checksum-mismatch; it is now corrupt \(nothing was touched\)/);
  t.deepEqual(
    s.hv.calls.filter((c) => /shutdown|destroy/i.test(String(c))),
    [],
    'the guest kept running',
  );
  t.is(s.hv.dom(s.uuid).state, 'running');
  t.deepEqual({ vda: s.data('/vm/db1-vda.qcow2'), vdb: s.data('/vm/db1-vdb.qcow2') }, before);
  t.is(s.catalog.getPoint(p0!.id)?.state, 'corrupt');
  t.is(s.catalog.getPoint(p1!.id)?.state, 'corrupt');
  t.like(s.catalog.getChain(p0!.chainId), { state: 'sealed', sealReason: 'previous-point-corrupt' });
  t.deepEqual(s.leftovers(), []);
});

test('a corrupt point refuses rollback, create-volume and create-image up front with POINT_CORRUPT', async (t) => {
  const s = await setup();
  const [p0] = s.ps;
  s.fs.files.delete(s.file(p0!, 'vda'));
  await t.throwsAsync(
    s.volumes.createVolume({ pointId: p0!.id, disk: 'vda', name: 'v.qcow2', dir: '/srv/vols' }),
    { code: 'POINT_CORRUPT', message: /vda\.0\.qcow2 missing/ },
  );
  t.false(s.fs.files.has('/srv/vols/v.qcow2'));
  t.is(s.catalog.getPoint(p0!.id)?.state, 'corrupt');
  const refused = {
    code: 'POINT_CORRUPT',
    message: /is corrupt \(1 of 1 files not ok: vda\.0\.qcow2 missing\)/,
  };
  await t.throwsAsync(s.imagesSvc.checkCreate({ pointId: p0!.id, disk: 'vda', name: 'img' }), refused);
  await t.throwsAsync(s.restore.checkRollback({ domain: s.uuid, pointId: p0!.id }), refused);
});

test('files a restore does not read are not checked: a volume of vda ignores a changed vdb', async (t) => {
  const s = await setup();
  const [p0, p1] = s.ps;
  s.fs.files.get(s.file(p0!, 'vdb'))!.data = 'bit rot';
  await s.fs.mkdir('/srv/vols');
  const v = await s.volumes.createVolume({ pointId: p1!.id, disk: 'vda', name: 'v.qcow2', dir: '/srv/vols' });
  t.is(v.disk, 'vda');
  t.is(s.catalog.getPoint(p1!.id)?.state, 'available');
});

/** A point file with other bytes of the same length: found only by its checksum. */
function rot(s: Awaited<ReturnType<typeof setup>>, path: string) {
  const f = s.fs.files.get(path)!;
  f.data = `X${f.data!.slice(1)}`;
}

test('create-volume and create-image check alongside the copy: the copy ran, nothing is published from a corrupt point', async (t) => {
  for (const where of ['dir', 'pool', 'image', 'linked image'] as const) {
    const s = await setup();
    const [p0] = s.ps;
    await s.fs.mkdir('/srv/vols');
    s.pools.addPool('default', '/var/lib/libvirt/images');
    rot(s, s.file(p0!, 'vdb'));
    const run =
      where === 'dir'
        ? s.volumes.createVolume({ pointId: p0!.id, disk: 'vdb', name: 'v.qcow2', dir: '/srv/vols' })
        : where === 'pool'
          ? s.volumes.createVolume({ pointId: p0!.id, disk: 'vdb', name: 'v1', pool: 'default' })
          : s.imagesSvc.createImage({
              pointId: p0!.id,
              disk: 'vdb',
              name: 'img',
              ...(where === 'linked image' ? { linked: true } : {}),
            });
    await t.throwsAsync(run, { code: 'POINT_CORRUPT', message: /vdb\.0\.qcow2 checksum-mismatch/ }, where);
    if (where !== 'linked image') t.true(s.images.converts.length > 0, `${where}: the copy ran alongside`);
    t.false(s.fs.files.has('/srv/vols/v.qcow2'), where);
    t.false(s.fs.files.has('/var/lib/libvirt/images/v1'), `${where}: the pool volume is deleted`);
    t.deepEqual(s.catalog.artifacts.listVolumes(), [], where);
    t.deepEqual(s.catalog.artifacts.listImages(), [], where);
    t.deepEqual(s.leftovers(), [], `${where}: no temp file`);
    t.is(s.catalog.getPoint(p0!.id)?.state, 'corrupt', where);
  }
});

test('rollback of a shut-off domain checks alongside the copies: a corrupt point renames nothing, the domain stays off', async (t) => {
  const s = await setup({ state: 'shutoff' });
  const [p0, p1] = s.ps;
  rot(s, s.file(p0!, 'vda'));
  const before = { vda: s.data('/vm/db1-vda.qcow2'), vdb: s.data('/vm/db1-vdb.qcow2') };
  await t.throwsAsync(s.restore.rollback({ domain: s.uuid, pointId: p1!.id }), { code: 'POINT_CORRUPT' });
  t.true(s.images.converts.length > 0, 'the copies ran alongside the check');
  t.deepEqual({ vda: s.data('/vm/db1-vda.qcow2'), vdb: s.data('/vm/db1-vdb.qcow2') }, before);
  t.deepEqual(s.leftovers(), []);
  t.is(s.hv.dom(s.uuid).state, 'shutoff');
  t.is(s.catalog.getPoint(p1!.id)?.state, 'corrupt');
  t.is(
    s.catalog.listChains({ state: 'open' }).length,
    0,
    'the chain is sealed for the corrupt point, not restored',
  );
  t.like(s.catalog.getChain(p0!.chainId), { sealReason: 'previous-point-corrupt' });
});

test('a running domain is checked first: its rollback of a corrupt point converts nothing', async (t) => {
  const s = await setup();
  rot(s, s.file(s.ps[0]!, 'vda'));
  await t.throwsAsync(s.restore.rollback({ domain: s.uuid, pointId: s.ps[1]!.id }), {
    code: 'POINT_CORRUPT',
  });
  t.deepEqual(s.images.converts, []);
});

test("the check before a restore reads up to three files at once, each file's checksum and qemu-img runs together", async (t) => {
  const s = await setup({ points: 6, state: 'shutoff' });
  const check = s.images.check.bind(s.images);
  let running = 0;
  let most = 0;
  s.images.check = async (path, format) => {
    running++;
    most = Math.max(most, running);
    await new Promise((r) => setTimeout(r, 5));
    running--;
    return check(path, format);
  };
  await s.fs.mkdir('/srv/vols');
  await s.volumes.createVolume({ pointId: s.ps[5]!.id, disk: 'vda', name: 'v.qcow2', dir: '/srv/vols' });
  t.is(most, 3, 'six files of the chain, three at a time');
  t.is(s.catalog.getPoint(s.ps[5]!.id)?.state, 'available');
});
