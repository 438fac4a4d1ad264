import test from 'ava';

import { resolveQemuUser } from '../../../../src/adapters/host/preflight-host.js';

const passwd =
  'root:x:0:0:root:/root:/bin/bash\nlibvirt-qemu:x:64055:994:Libvirt Qemu,,,:/var/lib/libvirt:/usr/sbin/nologin\nqemu:x:107:107::/:/sbin/nologin\n';
const group = 'root:x:0:\nkvm:x:994:libvirt-qemu\nlibvirt:x:995:\nvirtpoint:x:990:libvirt-qemu,alice\n';

test('the QEMU user: qemu.conf user =, else the default; uid, primary and supplementary groups', (t) => {
  t.deepEqual(resolveQemuUser('#user = "root"\n', passwd, group, 'libvirt-qemu'), {
    name: 'libvirt-qemu',
    uid: 64055,
    gids: [994, 990],
  });
  t.deepEqual(resolveQemuUser('user = "qemu"\n', passwd, group, 'libvirt-qemu'), {
    name: 'qemu',
    uid: 107,
    gids: [107],
  });
  t.deepEqual(resolveQemuUser('user = "root"\n', passwd, group, 'libvirt-qemu'), {
    name: 'root',
    uid: 0,
    gids: [0],
  });
  t.is(
    resolveQemuUser('', 'root:x:0:0::/:/bin/sh\n', group, 'libvirt-qemu'),
    null,
    'no passwd entry: unknown',
  );
});
