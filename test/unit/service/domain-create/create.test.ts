import { randomBytes } from 'node:crypto';

import test from 'ava';

import type { Hypervisor } from '../../../../src/ports/hypervisor.js';
import { silentLogger } from '../../../../src/ports/logger.js';
import { DomainCreateService } from '../../../../src/service/domain-create/create.js';
import { manifestPath } from '../../../../src/service/recovery/manifest-writer.js';
import { ImageService } from '../../../../src/service/restore/images.js';
import { VolumeService } from '../../../../src/service/restore/volumes.js';
import { FakeStoragePools } from '../../../fakes/fake-storage-pools.js';
import { setup as restoreSetup, STORE } from '../restore/_restore.js';

const XML = `<domain type='kvm' id='7'>
  <name>db1</name>
  <uuid>aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee</uuid>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='/vm/db1-vda.qcow2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='/vm/db1-vdb.qcow2'/>
      <target dev='vdb' bus='virtio'/>
    </disk>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='/vm/db1-vdc.raw'/>
      <target dev='vdc' bus='virtio'/>
    </disk>
    <interface type='network'><mac address='52:54:00:11:22:33'/><source network='default'/></interface>
  </devices>
</domain>
`;

async function setup() {
  const r = await restoreSetup({ points: 2 });
  const p = r.ps[1]!;
  // The manifest as a real backup writes it, with a domain XML that has three disks.
  const mpath = manifestPath(STORE, p);
  const m = JSON.parse(r.fs.files.get(mpath)!.data!) as { domain: { xml: string } };
  m.domain.xml = XML;
  r.fs.files.get(mpath)!.data = JSON.stringify(m);
  await r.fs.mkdir('/srv/vols');
  const defined: string[] = [];
  const started: string[] = [];
  const hv = r.hv as unknown as { -readonly [K in keyof Hypervisor]: Hypervisor[K] };
  hv.defineDomain = async (xml: string) => {
    defined.push(xml);
    const uuid = /<uuid>([^<]+)</.exec(xml)![1]!;
    return {
      uuid,
      name: /<name>([^<]+)</.exec(xml)![1]!,
      state: 'shutoff',
      disks: [],
      hasAgentChannel: false,
    };
  };
  hv.startDomain = async (uuid: string) => {
    started.push(uuid);
  };
  const common = {
    hypervisor: r.hv,
    imageTool: r.images,
    catalog: r.catalog,
    fs: r.fs,
    random: randomBytes,
    log: silentLogger,
    storeRoot: STORE,
  };
  const volumes = new VolumeService({
    ...common,
    pools: new FakeStoragePools(r.fs, r.images),
    allowedVolumeDirs: ['/srv/vols'],
  });
  const images = new ImageService({ ...common, imageDir: '/img' });
  const svc = new DomainCreateService({ ...common, volumes, images });
  return { ...r, hv, p, svc, defined, started, volumes, images };
}

test('copies: every disk of the point becomes a volume, the XML points at them, a disk not backed up is left out', async (t) => {
  const s = await setup();
  const r = await s.svc.create({ pointId: s.p.id, name: 'db1-copy', dir: '/srv/vols', start: true });
  t.deepEqual(
    r.disks.map((d) => [d.target, d.path]),
    [
      ['vda', '/srv/vols/db1-copy-vda'],
      ['vdb', '/srv/vols/db1-copy-vdb'],
    ],
  );
  t.deepEqual(r.leftOut, ['vdc']);
  t.true(r.started);
  t.is(s.defined.length, 1);
  const xml = s.defined[0]!;
  t.regex(xml, /<name>db1-copy<\/name>/);
  t.notRegex(xml, /aaaaaaaa|52:54:00:11:22:33|\/vm\/db1|id='7'/);
  t.regex(xml, /<source file='\/srv\/vols\/db1-copy-vda'\/>/);
  t.deepEqual(s.started, [r.uuid]);
  t.is(s.volumes.listVolumes().length, 2);
  t.is(s.catalog.getPoint(s.p.id)?.state, 'available');
});

test('linked: linked images on the point, which then protect it', async (t) => {
  const s = await setup();
  const r = await s.svc.create({ pointId: s.p.id, name: 'db1-l', linked: true });
  t.deepEqual(
    r.disks.map((d) => d.image),
    ['db1-l-vda', 'db1-l-vdb'],
  );
  t.deepEqual(s.catalog.artifacts.pointProtections(s.p.id), ['db1-l-vda', 'db1-l-vdb']);
  t.deepEqual(s.started, []);
});

test('refused up front: bad name, name taken, both or neither of dir and pool, linked with dir', async (t) => {
  const s = await setup();
  const base = { pointId: s.p.id, dir: '/srv/vols' };
  await t.throwsAsync(s.svc.check({ ...base, name: '-x' }), { code: 'INVALID_ARGUMENT' });
  await t.throwsAsync(s.svc.check({ ...base, name: 'db1' }), { code: 'ALREADY_EXISTS' });
  await t.throwsAsync(s.svc.check({ pointId: s.p.id, name: 'n' }), {
    code: 'INVALID_ARGUMENT',
    message: /exactly one/,
  });
  await t.throwsAsync(s.svc.check({ ...base, name: 'n', linked: true }), { code: 'INVALID_ARGUMENT' });
  await t.throwsAsync(s.svc.check({ pointId: s.p.id, name: 'n', dir: '/not/allowed' }), {
    code: 'INVALID_ARGUMENT',
  });
  t.is(s.defined.length, 0);
});

test('a failed define removes the volumes it made; the point is available again', async (t) => {
  const s = await setup();
  s.hv.defineDomain = async () => {
    throw new Error('libvirt said no');
  };
  await t.throwsAsync(s.svc.create({ pointId: s.p.id, name: 'db1-f', dir: '/srv/vols' }), {
    message: /said no/,
  });
  t.deepEqual(s.volumes.listVolumes(), []);
  t.false(await s.fs.exists('/srv/vols/db1-f-vda'));
  t.is(s.catalog.getPoint(s.p.id)?.state, 'available');
});

test('pointXml: the XML of the manifest', async (t) => {
  const s = await setup();
  t.is((await s.svc.pointXml(s.p.id)).xml, XML);
});
