import test from 'ava';
import { readlink } from 'node:fs/promises';

import { hostMountNs, hostMountPrefix } from '../../../../src/adapters/process/host-mount-ns.js';

test('a daemon in a mount namespace of its own runs mount commands in the host one (nsenter)', (t) => {
  t.deepEqual(hostMountPrefix('mnt:[4026532301]', 'mnt:[4026531841]'), [
    'nsenter',
    '--mount=/proc/1/ns/mnt',
    '--',
  ]);
});

test('in the host namespace, or when a namespace cannot be read, nothing is prefixed', (t) => {
  t.deepEqual(hostMountPrefix('mnt:[4026531841]', 'mnt:[4026531841]'), []);
  t.deepEqual(hostMountPrefix(null, 'mnt:[4026531841]'), []);
  t.deepEqual(hostMountPrefix('mnt:[4026531841]', null), []);
});

test('hostMountNs follows what /proc says of this process and PID 1', async (t) => {
  const link = (p: string) => readlink(p).catch(() => null);
  const prefix = hostMountPrefix(await link('/proc/self/ns/mnt'), await link('/proc/1/ns/mnt'));
  const ns = await hostMountNs();
  t.deepEqual(ns.wrap(['umount', '/x']), [...prefix, 'umount', '/x']);
  t.is(ns.mountinfo, prefix.length > 0 ? '/proc/1/mountinfo' : '/proc/self/mountinfo');
});
