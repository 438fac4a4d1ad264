import test from 'ava';

import { copyDomainXml, randomMac } from '../../../src/core/domain-copy.js';

/** Live XML as libvirt 9 gives it for a running test guest, plus a NIC, a data disk and a cdrom. */
const LIVE = `<domain type='qemu' id='2'>
  <name>web1</name>
  <uuid>0f2334f0-3309-4507-a627-e263df569f7f</uuid>
  <memory unit='KiB'>196608</memory>
  <os>
    <type arch='x86_64' machine='pc-i440fx-7.2'>hvm</type>
    <loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE.fd</loader>
    <nvram template='/usr/share/OVMF/OVMF_VARS.fd'>/var/lib/libvirt/qemu/nvram/web1_VARS.fd</nvram>
  </os>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2' cache='none'/>
      <source file='/vm/web1-vda.qcow2' index='2'/>
      <backingStore type='file' index='3'>
        <format type='qcow2'/>
        <source file='/vm/base.qcow2'/>
        <backingStore/>
      </backingStore>
      <target dev='vda' bus='virtio'/>
      <boot order='1'/>
      <alias name='virtio-disk0'/>
      <address type='pci' domain='0x0000' bus='0x00' slot='0x03' function='0x0'/>
    </disk>
    <disk type='block' device='disk'>
      <driver name='qemu' type='raw'/>
      <source dev='/dev/vg/web1-data' index='1'/>
      <backingStore/>
      <target dev='vdb' bus='virtio'/>
      <serial>data-1</serial>
      <alias name='virtio-disk1'/>
    </disk>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='/vm/scratch.raw'/>
      <target dev='vdc' bus='virtio'/>
    </disk>
    <disk type='file' device='cdrom'>
      <driver name='qemu' type='raw'/>
      <source file='/iso/debian.iso'/>
      <target dev='sda' bus='sata'/>
      <readonly/>
    </disk>
    <interface type='network'>
      <mac address='52:54:00:aa:bb:cc'/>
      <source network='default' portid='1234' bridge='virbr0'/>
      <target dev='vnet3'/>
      <model type='virtio'/>
    </interface>
    <serial type='pty'>
      <source path='/dev/pts/0'/>
      <log file='/var/log/web1.log' append='on'/>
      <target type='isa-serial' port='0'/>
    </serial>
    <console type='pty' tty='/dev/pts/0'>
      <source path='/dev/pts/0'/>
      <target type='serial' port='0'/>
    </console>
    <channel type='unix'>
      <source mode='bind' path='/var/lib/libvirt/qemu/channel/target/domain-2-web1/org.qemu.guest_agent.0'/>
      <target type='virtio' name='org.qemu.guest_agent.0' state='connected'/>
    </channel>
    <graphics type='vnc' port='5900' autoport='no' listen='127.0.0.1'/>
  </devices>
  <seclabel type='dynamic' model='dac' relabel='yes'>
    <label>+64055:+64055</label>
  </seclabel>
</domain>
`;

function copy(disks: Record<string, { path: string; format: 'qcow2' | 'raw' }>) {
  let n = 0;
  return copyDomainXml(LIVE, {
    name: 'web1-copy',
    uuid: '11111111-2222-4333-8444-555555555555',
    disks,
    newMac: () => `52:54:00:00:00:0${++n}`,
  });
}

test('new name, UUID and MACs; the live id goes', (t) => {
  const { xml } = copy({ vda: { path: '/srv/vols/c-vda.qcow2', format: 'qcow2' } });
  t.regex(xml, /^<domain type='qemu'>/);
  t.regex(xml, /<name>web1-copy<\/name>/);
  t.regex(xml, /<uuid>11111111-2222-4333-8444-555555555555<\/uuid>/);
  t.notRegex(xml, /0f2334f0/);
  t.regex(xml, /<mac address='52:54:00:00:00:01'\/>/);
  t.notRegex(xml, /aa:bb:cc/);
});

test('disks of the point point at the new files; the others are left out with a warning; the cdrom stays', (t) => {
  const c = copy({
    vda: { path: '/srv/vols/c-vda.qcow2', format: 'qcow2' },
    vdb: { path: '/srv/vols/c-vdb.qcow2', format: 'qcow2' },
  });
  t.deepEqual(c.leftOut, ['vdc']);
  t.true(c.warnings.some((w) => /disk vdc is not in the point/.test(w)));
  t.regex(c.xml, /<source file='\/srv\/vols\/c-vda.qcow2'\/>/);
  t.regex(c.xml, /<driver name='qemu' type='qcow2' cache='none'\/>/);
  t.regex(c.xml, /<boot order='1'\/>/);
  t.regex(c.xml, /<source file='\/srv\/vols\/c-vdb.qcow2'\/>/);
  t.regex(c.xml, /<serial>data-1<\/serial>/);
  t.notRegex(c.xml, /web1-vda|base\.qcow2|\/dev\/vg|scratch\.raw|backingStore/);
  t.regex(c.xml, /<source file='\/iso\/debian.iso'\/>/);
  t.is((c.xml.match(/<disk /g) ?? []).length, 3);
});

test('what would collide is left to libvirt: agent socket, pty, vnet, seclabel, VNC port, NVRAM; logs renamed', (t) => {
  const c = copy({ vda: { path: '/v/a.qcow2', format: 'qcow2' } });
  t.notRegex(c.xml, /domain-2-web1|\/dev\/pts|vnet3|seclabel|5900|web1_VARS/);
  t.regex(c.xml, /<channel type='unix'>\s*<source mode='bind'\/>/);
  t.regex(c.xml, /<graphics autoport='yes' type='vnc' listen='127.0.0.1'\/>/);
  t.regex(c.xml, /<nvram template='\/usr\/share\/OVMF\/OVMF_VARS.fd'\/>/);
  t.regex(c.xml, /<log file='\/var\/log\/web1.log.web1-copy' append='on'\/>/);
  t.true(c.warnings.some((w) => /NVRAM/.test(w)));
});

test('names are escaped; XML without <name> or <domain> is refused', (t) => {
  const c = copyDomainXml(LIVE, { name: "a'b", uuid: 'u', disks: {}, newMac: () => 'm' });
  t.regex(c.xml, /<name>a&apos;b<\/name>/);
  t.throws(() => copyDomainXml('<x/>', { name: 'a', uuid: 'u', disks: {}, newMac: () => 'm' }), {
    code: 'INVALID_STATE',
  });
});

test('randomMac: 52:54:00 and three random bytes', (t) => {
  t.is(
    randomMac(() => new Uint8Array([1, 0xab, 255])),
    '52:54:00:01:ab:ff',
  );
});
