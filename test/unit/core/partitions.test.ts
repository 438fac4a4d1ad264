import test from 'ava';

import {
  choosePartition,
  parsePartitions,
  PARTITION_PROBE_BYTES,
  probeFilesystem,
  type PartitionLayout,
} from '../../../src/core/partitions.js';

const MiB = 1024 * 1024;
const DISK = 64 * MiB;

function mbr(slots: { type: number; lba: number; count: number }[]): Buffer {
  const b = Buffer.alloc(PARTITION_PROBE_BYTES);
  slots.forEach((s, i) => {
    const at = 446 + i * 16;
    b[at + 4] = s.type;
    b.writeUInt32LE(s.lba, at + 8);
    b.writeUInt32LE(s.count, at + 12);
  });
  b.writeUInt16LE(0xaa55, 510);
  return b;
}

/** A GUID's on-disk bytes (first three fields little-endian). */
function guidBytes(text: string): Buffer {
  const h = text.replace(/-/g, '');
  const le = (s: string) => Buffer.from(s, 'hex').reverse();
  return Buffer.concat([
    le(h.slice(0, 8)),
    le(h.slice(8, 12)),
    le(h.slice(12, 16)),
    Buffer.from(h.slice(16), 'hex'),
  ]);
}

const LINUX = '0fc63daf-8483-4772-8e79-3d69d8477de4';
const ESP = 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b';

function gpt(entries: { type: string; first: number; last: number; name: string }[], count = 128): Buffer {
  const b = mbr([{ type: 0xee, lba: 1, count: DISK / 512 - 1 }]);
  b.write('EFI PART', 512, 'latin1');
  b.writeBigUInt64LE(2n, 512 + 72);
  b.writeUInt32LE(count, 512 + 80);
  b.writeUInt32LE(128, 512 + 84);
  entries.forEach((e, i) => {
    const at = 1024 + i * 128;
    guidBytes(e.type).copy(b, at);
    b.writeBigUInt64LE(BigInt(e.first), at + 32);
    b.writeBigUInt64LE(BigInt(e.last), at + 40);
    b.write(e.name, at + 56, 'utf16le');
  });
  return b;
}

test('no table: the whole disk is partition 0', (t) => {
  const layout = parsePartitions(Buffer.alloc(PARTITION_PROBE_BYTES), DISK);
  t.deepEqual(layout, {
    table: 'none',
    partitions: [{ number: 0, offset: 0, size: DISK, kind: 'linux', type: '', name: '' }],
  });
  t.is(choosePartition(layout).number, 0);
});

test('a signature with empty or zero-length slots is no table', (t) => {
  t.is(parsePartitions(mbr([]), DISK).table, 'none');
  t.is(parsePartitions(mbr([{ type: 0x83, lba: 0, count: 100 }]), DISK).table, 'none');
});

test('MBR: primary slots with offsets in bytes and kinds from the type byte', (t) => {
  const layout = parsePartitions(
    mbr([
      { type: 0x83, lba: 2048, count: 4096 },
      { type: 0x82, lba: 6144, count: 2048 },
      { type: 0x05, lba: 8192, count: 8192 },
    ]),
    DISK,
  );
  t.is(layout.table, 'mbr');
  t.deepEqual(
    layout.partitions.map((p) => [p.number, p.offset, p.size, p.kind, p.type]),
    [
      [1, 2048 * 512, 4096 * 512, 'linux', '83'],
      [2, 6144 * 512, 2048 * 512, 'swap', '82'],
      [3, 8192 * 512, 8192 * 512, 'extended', '05'],
    ],
  );
  t.throws(() => choosePartition(layout, 3), {
    code: 'INVALID_ARGUMENT',
    message: /no mountable partition 3/,
  });
  t.is(choosePartition(layout, 2).number, 2);
  t.is(choosePartition(layout).number, 1);
});

test('GPT: entries by index, type GUIDs, names; the largest Linux partition is the default', (t) => {
  const layout = parsePartitions(
    gpt([
      { type: ESP, first: 2048, last: 4095, name: 'EFI' },
      { type: LINUX, first: 4096, last: 20479, name: 'root' },
      { type: LINUX, first: 20480, last: 61439, name: 'data' },
    ]),
    DISK,
  );
  t.is(layout.table, 'gpt');
  t.deepEqual(
    layout.partitions.map((p) => [p.number, p.offset, p.size, p.kind, p.name]),
    [
      [1, 2048 * 512, 2048 * 512, 'other', 'EFI'],
      [2, 4096 * 512, 16384 * 512, 'linux', 'root'],
      [3, 20480 * 512, 40960 * 512, 'linux', 'data'],
    ],
  );
  t.is(layout.partitions[0]?.type, ESP);
  t.is(choosePartition(layout).number, 3);
  t.is(choosePartition(layout, 2).number, 2);
  t.throws(() => choosePartition(layout, 4), {
    code: 'INVALID_ARGUMENT',
    message: /1 \(other\), 2 \(linux\)/,
  });
});

test('GPT: no Linux partition asks for --partition', (t) => {
  const layout: PartitionLayout = parsePartitions(
    gpt([{ type: ESP, first: 2048, last: 4095, name: 'EFI' }]),
    DISK,
  );
  t.throws(() => choosePartition(layout), { code: 'INVALID_ARGUMENT', message: /--partition N/ });
});

test('GPT: broken headers and entries are errors, never guesses', (t) => {
  const noHeader = mbr([{ type: 0xee, lba: 1, count: 100 }]);
  t.throws(() => parsePartitions(noHeader, DISK), { code: 'INVALID_STATE', message: /no GPT header/ });
  const tooMany = gpt([], 512);
  t.throws(() => parsePartitions(tooMany, DISK), { code: 'INVALID_STATE', message: /beyond the first/ });
  const past = gpt([{ type: LINUX, first: 2048, last: DISK / 512, name: 'x' }]);
  t.throws(() => parsePartitions(past, DISK), { code: 'INVALID_STATE', message: /beyond the disk/ });
});

test('probeFilesystem: ext magic and xfs magic', (t) => {
  const ext = Buffer.alloc(4096);
  ext.writeUInt16LE(0xef53, 1024 + 56);
  t.is(probeFilesystem(ext), 'ext4');
  const xfs = Buffer.alloc(4096);
  xfs.write('XFSB', 0, 'latin1');
  t.is(probeFilesystem(xfs), 'xfs');
  t.is(probeFilesystem(Buffer.alloc(4096)), null);
  t.is(probeFilesystem(Buffer.alloc(10)), null);
});
