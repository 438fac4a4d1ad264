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
