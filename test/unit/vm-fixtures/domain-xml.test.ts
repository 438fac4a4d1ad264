import test from 'ava';
import { fixtureDomainXml, xmlEscape } from '../../../vm-fixtures/domain-xml.js';

const base = { name: 'vpt-abc-x-1', kernel: '/k/vmlinuz', initrd: '/k/initrd.img' };

test('N virtio disks in order, with their format, and the agent channel', (t) => {
  const xml = fixtureDomainXml({
    ...base,
    disks: [
      { target: 'vda', path: '/d/vda.qcow2', format: 'qcow2' },
      { target: 'vdb', path: '/d/vdb.raw', format: 'raw' },
      { target: 'vdc', path: '/d/vdc.qcow2', format: 'qcow2' },
    ],
  });
  const targets = [...xml.matchAll(/<target dev='(vd.)' bus='virtio'\/>/g)].map((m) => m[1]);
  t.deepEqual(targets, ['vda', 'vdb', 'vdc']);
  t.regex(xml, /<driver name='qemu' type='raw'\/>\s*<source file='\/d\/vdb.raw'\/>/);
  t.regex(xml, /<domain type='qemu'>/, 'TCG: nested KVM hangs the guest');
  t.regex(xml, /name='org.qemu.guest_agent.0'/);
  t.regex(xml, /<kernel>\/k\/vmlinuz<\/kernel>/);
  t.notRegex(xml, /<graphics/);
});

test('the agent-less variant has no agent channel', (t) => {
  const xml = fixtureDomainXml({
    ...base,
    agent: false,
    disks: [{ target: 'vda', path: '/d/a', format: 'qcow2' }],
  });
  t.notRegex(xml, /guest_agent/);
});

test('uuid, memory, console log are templated and escaped', (t) => {
  const xml = fixtureDomainXml({
    ...base,
    uuid: '4a9e0c53-52c1-4b5e-9b6a-0e8f2a2d6f11',
    memoryMiB: 300,
    consoleLog: "/d/it's <log>",
    disks: [{ target: 'vda', path: '/d/a&b', format: 'qcow2' }],
  });
  t.regex(xml, /<uuid>4a9e0c53-52c1-4b5e-9b6a-0e8f2a2d6f11<\/uuid>/);
  t.regex(xml, /<memory unit='MiB'>300<\/memory>/);
  t.regex(xml, /<log file='\/d\/it&apos;s &lt;log&gt;'/);
  t.regex(xml, /<source file='\/d\/a&amp;b'\/>/);
});

test('bad disk lists are refused', (t) => {
  t.throws(() => fixtureDomainXml({ ...base, disks: [] }), { message: /at least one disk/ });
  t.throws(() => fixtureDomainXml({ ...base, disks: [{ target: 'sda', path: '/a', format: 'qcow2' }] }), {
    message: /invalid disk target/,
  });
  t.throws(
    () =>
      fixtureDomainXml({
        ...base,
        disks: [
          { target: 'vda', path: '/a', format: 'qcow2' },
          { target: 'vda', path: '/b', format: 'qcow2' },
        ],
      }),
    { message: /given twice/ },
  );
  t.throws(() => fixtureDomainXml({ ...base, disks: [{ target: 'vda', path: 'rel/a', format: 'qcow2' }] }), {
    message: /absolute/,
  });
});

test('xmlEscape escapes the five XML specials', (t) => {
  t.is(xmlEscape(`<a b="c" d='e'>&</a>`), '&lt;a b=&quot;c&quot; d=&apos;e&apos;&gt;&amp;&lt;/a&gt;');
});
