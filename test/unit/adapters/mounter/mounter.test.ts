import test from 'ava';

import { MOUNT_OPTIONS, parseMountinfo } from '../../../../src/adapters/mounter/mounter.js';

test('parseMountinfo: mount point and source, octal escapes undone, optional fields skipped', (t) => {
  const text = [
    '43 27 7:0 / /srv/old\\040dir ro,relatime shared:1 - ext4 /dev/loop0 ro,norecovery',
    '42 27 0:39 / /var/lib/virtpoint/mounts/ab/vda.raw rw,nosuid - fuse /dev/fuse rw,user_id=0',
    '',
  ].join('\n');
  t.deepEqual(parseMountinfo(text), [
    { dir: '/srv/old dir', source: '/dev/loop0' },
    { dir: '/var/lib/virtpoint/mounts/ab/vda.raw', source: '/dev/fuse' },
  ]);
});

test('journals are never replayed: ext4 noload, xfs norecovery, both read-only', (t) => {
  t.deepEqual(MOUNT_OPTIONS, { ext4: 'ro,noload', xfs: 'ro,norecovery' });
});
