import test from 'ava';

import { isVirtpointError } from '../../../src/core/errors.js';
import {
  canonicalDiskSet,
  checkpointName,
  diskSetKey,
  generatedPointName,
  isValidPointName,
  isVirtpointCheckpoint,
  newId,
  parseCheckpointName,
  resolvePointName,
  validatePointName,
} from '../../../src/core/names.js';

const fixed = (byte: number) => (n: number) => new Uint8Array(n).fill(byte);

test('newId: 12 hex chars from the random source', (t) => {
  t.is(newId(fixed(0xab)), 'abababababab');
  t.is(newId(fixed(0)), '000000000000');
  t.throws(() => newId(() => new Uint8Array(2)), { code: 'INTERNAL' });
});

test('valid custom names: letters of any script, digits, _ and -', (t) => {
  for (const name of [
    'nightly',
    'before-upgrade_2024',
    '升级前备份',
    'резервная-копия',
    'نسخة',
    'バックアップ1',
    'नमस्ते',
    'ย้อนกลับ',
    'Ωmega_٣',
    '1',
    '_',
  ]) {
    t.true(isValidPointName(name), name);
  }
});

test('invalid names: empty, spaces, dots, slashes, path-like, punctuation, emoji', (t) => {
  for (const name of [
    '',
    ' ',
    'a b',
    '.',
    '..',
    '../etc',
    'a/b',
    'a\\b',
    'a.b',
    '/abs',
    'x\0y',
    'semi;colon',
    'emoji😀',
    'tab\t',
    'new\nline',
  ]) {
    t.false(isValidPointName(name), JSON.stringify(name));
    const err = t.throws(() => validatePointName(name));
    t.true(isVirtpointError(err, 'INVALID_ARGUMENT'));
  }
});

test('255 characters pass, 256 fail; characters are code points, not UTF-16 units', (t) => {
  t.true(isValidPointName('a'.repeat(255)));
  t.false(isValidPointName('a'.repeat(256)));
  t.true(isValidPointName('备'.repeat(255)));
  t.false(isValidPointName('备'.repeat(256)));
  // U+20000 (CJK Ext. B) takes two UTF-16 units each: 255 of them are still 255 characters.
  t.true(isValidPointName('\u{20000}'.repeat(255)));
  t.false(isValidPointName('\u{20000}'.repeat(256)));
});

test("generated names carry the point's own id: manualbk_, backup_ (task run), autobk_", (t) => {
  t.is(generatedPointName('manual', 'bafabbfaa9f7'), 'manualbk_bafabbfaa9f7');
  t.is(generatedPointName('manual', 'bafabbfaa9f7', true), 'backup_bafabbfaa9f7');
  t.is(generatedPointName('schedule', newId(fixed(2))), 'autobk_020202020202');
  t.true(isValidPointName(generatedPointName('manual', newId(fixed(0xff)))));
  t.is(resolvePointName(undefined, 'schedule', '030303030303'), 'autobk_030303030303');
  t.is(resolvePointName('mine', 'schedule', '030303030303'), 'mine');
  t.throws(() => resolvePointName('a/b', 'manual', '030303030303'), { code: 'INVALID_ARGUMENT' });
});

test('checkpoint names vp-<chain>-<seq> round-trip; foreign names are not ours', (t) => {
  t.is(checkpointName('0123456789ab', 0), 'vp-0123456789ab-0');
  t.is(checkpointName('0123456789ab', 29), 'vp-0123456789ab-29');
  t.deepEqual(parseCheckpointName('vp-0123456789ab-29'), { chainId: '0123456789ab', seq: 29 });
  for (const foreign of [
    'vp-xyz-1',
    'vp-0123456789ab-01',
    'vp-0123456789ab-',
    'snap1',
    'vp-0123456789ab-1x',
  ]) {
    t.is(parseCheckpointName(foreign), null, foreign);
    t.false(isVirtpointCheckpoint(foreign));
  }
  t.throws(() => checkpointName('../x', 1), { code: 'INVALID_ARGUMENT' });
  t.throws(() => checkpointName('0123456789ab', -1), { code: 'INVALID_ARGUMENT' });
});

test('disk set key: sorted, duplicates and bad targets rejected', (t) => {
  t.is(diskSetKey(['vdb', 'vda']), 'vda,vdb');
  t.deepEqual(canonicalDiskSet(['sdb', 'vda', 'sda']), ['sda', 'sdb', 'vda']);
  t.throws(() => diskSetKey([]), { code: 'INVALID_ARGUMENT' });
  t.throws(() => diskSetKey(['vda', 'vda']), { code: 'INVALID_ARGUMENT' });
  t.throws(() => diskSetKey(['vda', '../x']), { code: 'INVALID_ARGUMENT' });
  t.throws(() => diskSetKey(['vd.a']), { code: 'INVALID_ARGUMENT' });
});
