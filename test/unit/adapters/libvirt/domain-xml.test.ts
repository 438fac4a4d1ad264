import test from 'ava';
import {
  buildBackupXml,
  buildCheckpointXml,
  parseCheckpointSizes,
  parseCheckpointXml,
  parseDomainXml,
} from '../../../../src/adapters/libvirt/domain-xml.js';
import { child, parseXml } from '../../../../src/adapters/libvirt/xml.js';

const DOMAIN_XML = `<domain type='qemu' id='3'>
  <name>vm &amp; co</name>
  <uuid>94bbf2fe-f18f-4287-be16-e679adaab563</uuid>
  <!-- a comment with <disk> inside -->
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='/var/lib/libvirt/images/a b.qcow2' index='2'/>
      <backingStore/>
      <target dev='vda' bus='virtio'/>
      <boot order='1'/>
    </disk>
    <disk type="block" device="disk">
      <driver name="qemu" type="raw"/>
      <source dev="/dev/vg/data"/>
      <target dev="vdb" bus="virtio"/>
    </disk>
    <disk type='file' device='cdrom'>
      <driver name='qemu' type='raw'/>
      <target dev='sda' bus='sata'/>
      <readonly/>
    </disk>
    <channel type='unix'>
      <source mode='bind' path='/var/lib/libvirt/qemu/channel/target/x/org.qemu.guest_agent.0'/>
      <target type='virtio' name='org.qemu.guest_agent.0' state='connected'/>
    </channel>
  </devices>
</domain>`;

test('domain XML: disks and agent channel', (t) => {
  const d = parseDomainXml(DOMAIN_XML);
  t.is(d.name, 'vm & co');
  t.is(d.uuid, '94bbf2fe-f18f-4287-be16-e679adaab563');
  t.true(d.hasAgentChannel);
  t.deepEqual(d.disks, [
    {
      target: 'vda',
      bus: 'virtio',
      device: 'disk',
      sourceType: 'file',
      sourcePath: '/var/lib/libvirt/images/a b.qcow2',
      format: 'qcow2',
      readonly: false,
      bootOrder: 1,
    },
    {
      target: 'vdb',
      bus: 'virtio',
      device: 'disk',
      sourceType: 'block',
      sourcePath: '/dev/vg/data',
      format: 'raw',
      readonly: false,
      bootOrder: null,
    },
    {
      target: 'sda',
      bus: 'sata',
      device: 'cdrom',
      sourceType: 'file',
      sourcePath: null,
      format: 'raw',
      readonly: true,
      bootOrder: null,
    },
  ]);
});

test('domain XML: a volume disk names its pool and volume', (t) => {
  const d = parseDomainXml(`<domain><name>x</name><uuid>u</uuid><devices>
    <disk type='volume' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source pool='default' volume='data.qcow2'/>
      <target dev='vdc' bus='virtio'/>
    </disk></devices></domain>`);
  t.like(d.disks[0], { target: 'vdc', sourceType: 'volume', sourcePath: null });
  t.deepEqual(d.disks[0]?.sourceVolume, { pool: 'default', volume: 'data.qcow2' });
});

test('domain XML without agent channel', (t) => {
  const d = parseDomainXml("<domain type='qemu'><name>x</name><uuid>u</uuid><devices/></domain>");
  t.false(d.hasAgentChannel);
  t.deepEqual(d.disks, []);
});

test('checkpoint XML', (t) => {
  const xml = `<domaincheckpoint>
  <name>vp-c1</name>
  <description>inc &lt;1&gt;</description>
  <parent>
    <name>vp-c0</name>
  </parent>
  <creationTime>1700000000</creationTime>
  <disks>
    <disk name='vda' checkpoint='bitmap' bitmap='vp-c1'/>
    <disk name='vdb' checkpoint='no'/>
  </disks>
  <domain type='qemu'><name>x</name></domain>
</domaincheckpoint>`;
  const c = parseCheckpointXml(xml);
  t.is(c.name, 'vp-c1');
  t.is(c.parent, 'vp-c0');
  t.is(c.description, 'inc <1>');
  t.is(c.creationTime, 1700000000);
  t.deepEqual(c.disks, [{ target: 'vda', bitmap: 'vp-c1' }]);
  t.is(c.xml, xml);
});

test('backup XML: listed disks to targets, others excluded, incremental', (t) => {
  const xml = buildBackupXml(
    {
      incrementalFrom: 'vp-c0',
      disks: [{ target: 'vda', targetPath: "/s/a'b.qcow2", targetFormat: 'qcow2' }],
    },
    ['vda', 'vdb'],
  );
  const root = parseXml(xml);
  t.is(root.attrs['mode'], 'push');
  t.is(child(root, 'incremental')?.text, 'vp-c0');
  const disks = child(root, 'disks')?.children ?? [];
  t.is(disks.length, 2);
  t.is(child(disks[0], 'target')?.attrs['file'], "/s/a'b.qcow2");
  t.is(child(disks[0], 'driver')?.attrs['type'], 'qcow2');
  t.deepEqual(disks[1]?.attrs, { name: 'vdb', backup: 'no' });
});

test('checkpoint XML for a backup', (t) => {
  const root = parseXml(buildCheckpointXml('vp-c0', 'full', ['vda'], ['vda', 'vdb']));
  t.is(child(root, 'name')?.text, 'vp-c0');
  t.is(child(root, 'description')?.text, 'full');
  t.deepEqual(
    child(root, 'disks')?.children.map((d) => d.attrs),
    [
      { name: 'vda', checkpoint: 'bitmap' },
      { name: 'vdb', checkpoint: 'no' },
    ],
  );
});

test('XML parser: entities, CDATA, PI, numeric references', (t) => {
  const r = parseXml("<?xml version='1.0'?><a x='&#65;&#x42;&quot;'><![CDATA[<raw>]]>t&apos;</a>");
  t.is(r.attrs['x'], 'AB"');
  t.is(r.text, "<raw>t'");
});

test('XML parser rejects malformed input', (t) => {
  for (const bad of ['<a><b></a>', '<a>', 'text', '<a x=1/>', '<a/><b/>', '']) {
    t.throws(() => parseXml(bad), { code: 'LIBVIRT_PROTOCOL' } as never, bad);
  }
});

test('checkpoint XML with the SIZE flag: bytes changed since the checkpoint per bitmap disk', (t) => {
  const xml = `<domaincheckpoint><name>vp-abc-1</name><disks>
    <disk name='vda' checkpoint='bitmap' bitmap='vp-abc-1' size='1048576'/>
    <disk name='vdb' checkpoint='no'/>
    <disk name='vdc' checkpoint='bitmap' bitmap='vp-abc-1' size='0'/>
  </disks></domaincheckpoint>`;
  t.deepEqual(parseCheckpointSizes(xml), { vda: 1048576, vdc: 0 });
});
