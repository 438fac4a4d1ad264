import test from 'ava';

import {
  ancestors,
  canTraverse,
  formatVersion,
  judgeClock,
  judgeDomain,
  judgeFreeSpace,
  judgeLibvirt,
  judgeStoreAccess,
  worst,
} from '../../../src/core/preflight.js';

const qemu = { name: 'libvirt-qemu', uid: 64055, gids: [994, 64055] };
const root = (path: string, mode: number) => ({ path, mode, uid: 0, gid: 0 });

test('libvirt and QEMU versions: ok at the minimum, fail below, fail when unreachable', (t) => {
  t.is(formatVersion(9_000_000), '9.0.0');
  t.is(formatVersion(7_002_001), '7.2.1');
  t.deepEqual(
    judgeLibvirt({ libvirt: 7_002_000, qemu: 6_000_000 }).map((c) => c.status),
    ['ok', 'ok'],
  );
  const old = judgeLibvirt({ libvirt: 6_010_000, qemu: 5_002_000 });
  t.deepEqual(
    old.map((c) => c.status),
    ['fail', 'fail'],
  );
  t.regex(old[0]!.message, /6\.10\.0 is older than 7\.2\.0/);
  t.regex(old[1]!.message, /QEMU 5\.2\.0 is older than 6\.0\.0/);
  const down = judgeLibvirt({ error: 'connection refused' });
  t.is(down.length, 1);
  t.like(down[0], { name: 'libvirt', status: 'fail' });
  t.regex(down[0]!.message, /connection refused.*libvirt_socket/);
});

test('store access: a 0700 parent blocks the QEMU user and is named with the fix', (t) => {
  const store = '/srv/private/vp/store';
  const dirs = [
    root('/', 0o755),
    root('/srv', 0o755),
    root('/srv/private', 0o700),
    root('/srv/private/vp', 0o711),
    root(store, 0o711),
  ];
  const c = judgeStoreAccess(store, dirs, qemu);
  t.is(c.status, 'fail');
  t.regex(c.message, /^\/srv\/private \(mode 0700\) blocks the QEMU user libvirt-qemu/);
  t.regex(c.message, /chmod o\+x \/srv\/private/);
  t.is(
    judgeStoreAccess(
      store,
      dirs.map((d) => ({ ...d, mode: 0o711 })),
      qemu,
    ).status,
    'ok',
  );
  t.is(
    judgeStoreAccess(store, dirs, { name: 'root', uid: 0, gids: [0] }).status,
    'ok',
    'root passes anywhere',
  );
  t.is(judgeStoreAccess(store, dirs, null).status, 'warn');
});

test('traversal follows owner, then group, then other bits', (t) => {
  t.true(canTraverse({ path: '/d', mode: 0o700, uid: 64055, gid: 0 }, qemu));
  t.false(
    canTraverse({ path: '/d', mode: 0o077, uid: 64055, gid: 994 }, qemu),
    'the owner bits decide for the owner',
  );
  t.true(canTraverse({ path: '/d', mode: 0o750, uid: 0, gid: 994 }, qemu));
  t.false(
    canTraverse({ path: '/d', mode: 0o705, uid: 0, gid: 994 }, qemu),
    'the group bits decide for a member',
  );
  t.true(canTraverse({ path: '/d', mode: 0o701, uid: 0, gid: 0 }, qemu));
  t.deepEqual(ancestors('/var/lib/virtpoint/store'), [
    '/',
    '/var',
    '/var/lib',
    '/var/lib/virtpoint',
    '/var/lib/virtpoint/store',
  ]);
});

test('free space: fail under 1 GiB, warn under 10 GiB or 5 %, unreadable is a warning', (t) => {
  const G = 1024 ** 3;
  t.is(judgeFreeSpace('/s', 0.5 * G).status, 'fail');
  t.is(judgeFreeSpace('/s', 5 * G).status, 'warn');
  t.is(judgeFreeSpace('/s', 40 * G, 1000 * G).status, 'warn');
  t.is(judgeFreeSpace('/s', 400 * G, 1000 * G).status, 'ok');
  t.is(judgeFreeSpace('/s', null).status, 'warn');
});

test('domains: agent channel and answer, raw and qcow2 v2 disks', (t) => {
  const base = {
    name: 'web1',
    running: true,
    agentChannel: true,
    agentAnswers: true,
    disks: [{ target: 'vda', format: 'qcow2', compat: '1.1' }],
  };
  t.is(worst(judgeDomain(base)), 'ok');
  const noChannel = judgeDomain({ ...base, agentChannel: false, agentAnswers: null });
  t.like(noChannel[0], { name: 'agent:web1', status: 'warn' });
  t.regex(noChannel[0]!.message, /no guest agent channel.*crash-consistent/);
  t.regex(judgeDomain({ ...base, agentAnswers: false })[0]!.message, /does not answer/);
  t.is(judgeDomain({ ...base, running: false, agentAnswers: null })[0]!.status, 'ok');
  const disks = judgeDomain({
    ...base,
    disks: [
      { target: 'vda', format: 'raw', compat: null },
      { target: 'vdb', format: 'qcow2', compat: '0.10' },
    ],
  });
  t.like(disks[1], { name: 'disk:web1/vda', status: 'warn' });
  t.like(disks[2], { name: 'disk:web1/vdb', status: 'fail' });
  t.regex(disks[2]!.message, /compat=1\.1/);
});

test('clock: behind the build fails; unknown time zone warns', (t) => {
  const nb = Date.parse('2026-11-01T00:00:00Z');
  t.is(judgeClock('Europe/Berlin', Date.parse('2026-12-01T00:00:00Z'), nb).status, 'ok');
  t.is(judgeClock('Europe/Berlin', Date.parse('2020-01-01T00:00:00Z'), nb).status, 'fail');
  t.is(judgeClock(null, Date.parse('2026-12-01T00:00:00Z'), nb).status, 'warn');
  t.is(worst([]), 'ok');
});
