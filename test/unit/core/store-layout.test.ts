import test from 'ava';

import {
  chainDir,
  DEFAULT_STORE_ROOT,
  parseStorePath,
  pointDiskPath,
  relativeBackingPath,
  resolveStorePath,
} from '../../../src/core/store-layout.js';

const U = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
const C = '0123456789ab';

test('point disk path: <uuid>/<chain>/<disk>.<seq>.qcow2 relative to the store root', (t) => {
  t.is(chainDir(U, C), `${U}/${C}`);
  t.is(pointDiskPath(U, C, 'vda', 0), `${U}/${C}/vda.0.qcow2`);
  t.is(pointDiskPath(U, C, 'sdb', 29), `${U}/${C}/sdb.29.qcow2`);
  t.is(
    resolveStorePath(DEFAULT_STORE_ROOT, pointDiskPath(U, C, 'vda', 3)),
    `/var/lib/virtpoint/store/${U}/${C}/vda.3.qcow2`,
  );
});

test('backing path of an incremental is relative: <disk>.<parentSeq>.qcow2', (t) => {
  t.is(relativeBackingPath('vda', 2), 'vda.2.qcow2');
  t.false(relativeBackingPath('vda', 2).includes('/'));
});

test('path-like or invalid components are rejected', (t) => {
  const bad: [string, string, string, number][] = [
    ['../etc', C, 'vda', 0],
    [U.toUpperCase(), C, 'vda', 0],
    [U, '../' + C, 'vda', 0],
    [U, 'ABCDEF012345', 'vda', 0],
    [U, C, '../vda', 0],
    [U, C, 'vd/a', 0],
    [U, C, 'vd.a', 0],
    [U, C, '', 0],
    [U, C, 'vda', -1],
    [U, C, 'vda', 1.5],
  ];
  for (const [u, c, d, s] of bad) {
    t.throws(() => pointDiskPath(u, c, d, s), { code: 'INVALID_ARGUMENT' }, `${u} ${c} ${d} ${s}`);
  }
  t.throws(() => relativeBackingPath('../x', 0), { code: 'INVALID_ARGUMENT' });
});

test('resolveStorePath refuses escapes and absolute paths', (t) => {
  for (const rel of ['', '/etc/passwd', '../x', 'a/../../x', 'a//b', './a', 'a/./b']) {
    t.throws(() => resolveStorePath('/store', rel), { code: 'INVALID_ARGUMENT' }, rel);
  }
  t.throws(() => resolveStorePath('relative/root', 'a'), { code: 'INVALID_ARGUMENT' });
});

test('parseStorePath round-trips and rejects anything else', (t) => {
  t.deepEqual(parseStorePath(pointDiskPath(U, C, 'vdb', 12)), {
    domainUuid: U,
    chainId: C,
    target: 'vdb',
    seq: 12,
  });
  for (const other of [
    `${U}/${C}/vda.qcow2`,
    `${U}/${C}/vda.01.qcow2`,
    `${U}/${C}/vda.1.raw`,
    `${U}/vda.1.qcow2`,
    `x/${C}/vda.1.qcow2`,
  ]) {
    t.is(parseStorePath(other), null, other);
  }
});
