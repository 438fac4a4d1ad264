/**
 * Partition tables of a raw disk image (the FUSE export of a point's disk, service/mount): MBR
 * and GPT parsed from the image's first bytes, and the filesystem of a partition recognised from
 * its first bytes. Pure: the caller reads the bytes (PARTITION_PROBE_BYTES from offset 0, and
 * FS_PROBE_BYTES from a partition's start).
 *
 * - No table (no 0x55AA signature, or none of the four MBR slots used): the disk itself is the
 *   one "partition" number 0 (a filesystem on the whole disk).
 * - MBR: the four primary slots (number 1–4). Extended slots (0x05, 0x0f, 0x85) are listed
 *   with kind `extended` and are not mountable; logical partitions inside them are not read.
 * - GPT (protective MBR type 0xee): the entries the header names (number = entry index + 1),
 *   sector size 512. Entries beyond the bytes given are reported as an error, never guessed.
 */

import { VirtpointError } from './errors.js';

/** Bytes from offset 0 that cover the MBR, the GPT header and 128 entries of 128 bytes. */
export const PARTITION_PROBE_BYTES = 64 * 1024;
/** Bytes from a partition's start that cover the ext2/3/4 and xfs superblocks. */
export const FS_PROBE_BYTES = 4096;

const SECTOR = 512;

export type PartitionTable = 'none' | 'mbr' | 'gpt';
/** `linux`: a type that holds a Linux filesystem; `extended`: an MBR container (not mountable). */
export type PartitionKind = 'linux' | 'extended' | 'swap' | 'other';
export type FilesystemType = 'ext4' | 'xfs';

export interface Partition {
  /** 0 for the whole disk (no table), else 1-based (MBR slot, GPT entry index + 1). */
  readonly number: number;
  readonly offset: number;
  readonly size: number;
  readonly kind: PartitionKind;
  /** MBR: the type byte as two hex digits; GPT: the type GUID in lower case. */
  readonly type: string;
  /** GPT partition name; '' for MBR. */
  readonly name: string;
}

export interface PartitionLayout {
  readonly table: PartitionTable;
  readonly partitions: readonly Partition[];
}

const GPT_LINUX = new Set([
  '0fc63daf-8483-4772-8e79-3d69d8477de4', // Linux filesystem data
  '4f68bce3-e8cd-4db1-96e7-fbcaf984b709', // root x86-64
  '44479540-f297-41b2-9af7-d131d5f0458c', // root x86
  'b921b045-1df0-41c3-af44-4c6f280d3fae', // root arm64
  '933ac7e1-2eb4-4f13-b844-0e14e2aef915', // /home
  '3b8f8425-20e0-4f3b-907f-1a25a76f98e8', // /srv
  'bc13c2ff-59e6-4262-a352-b275fd6f7172', // /boot (XBOOTLDR)
]);
const GPT_SWAP = '0657fd6d-a4ab-43c4-84e5-0933c84b4f4f';
const MBR_EXTENDED = new Set([0x05, 0x0f, 0x85]);

/** The partitions of a disk whose first bytes are `head` (at least 512; see PARTITION_PROBE_BYTES). */
export function parsePartitions(head: Buffer, diskSize: number): PartitionLayout {
  const whole: PartitionLayout = {
    table: 'none',
    partitions: [{ number: 0, offset: 0, size: diskSize, kind: 'linux', type: '', name: '' }],
  };
  if (head.length < SECTOR || head.readUInt16LE(510) !== 0xaa55) return whole;
  const slots = [0, 1, 2, 3].map((i) => {
    const at = 446 + i * 16;
    return {
      number: i + 1,
      type: head[at + 4] ?? 0,
      lba: head.readUInt32LE(at + 8),
      count: head.readUInt32LE(at + 12),
    };
  });
  // A filesystem boot sector (FAT, or an ext/xfs whole disk never has 0x55AA at 510) is not a
  // table: every used slot must have a start and a length.
  const used = slots.filter((s) => s.type !== 0);
  if (used.length === 0 || used.some((s) => s.lba === 0 || s.count === 0)) return whole;
  if (used.some((s) => s.type === 0xee)) return { table: 'gpt', partitions: parseGpt(head, diskSize) };
  return {
    table: 'mbr',
    partitions: used.map((s) => ({
      number: s.number,
      offset: s.lba * SECTOR,
      size: s.count * SECTOR,
      kind: mbrKind(s.type),
      type: s.type.toString(16).padStart(2, '0'),
      name: '',
    })),
  };
}

function mbrKind(type: number): PartitionKind {
  if (type === 0x83) return 'linux';
  if (type === 0x82) return 'swap';
  return MBR_EXTENDED.has(type) ? 'extended' : 'other';
}

function parseGpt(head: Buffer, diskSize: number): Partition[] {
  if (head.length < 2 * SECTOR || head.toString('latin1', SECTOR, SECTOR + 8) !== 'EFI PART') {
    throw new VirtpointError('INVALID_STATE', 'the disk has a protective MBR but no GPT header at LBA 1');
  }
  const entriesLba = Number(head.readBigUInt64LE(SECTOR + 72));
  const count = head.readUInt32LE(SECTOR + 80);
  const entrySize = head.readUInt32LE(SECTOR + 84);
  if (entrySize < 128 || count > 1024) {
    throw new VirtpointError(
      'INVALID_STATE',
      `the GPT header is not sane (${count} entries of ${entrySize} bytes)`,
    );
  }
  const start = entriesLba * SECTOR;
  if (start + count * entrySize > head.length) {
    throw new VirtpointError(
      'INVALID_STATE',
      `the GPT entries (LBA ${entriesLba}, ${count} of ${entrySize} bytes) lie beyond the first ${head.length} bytes read`,
    );
  }
  const out: Partition[] = [];
  for (let i = 0; i < count; i++) {
    const at = start + i * entrySize;
    const type = guid(head.subarray(at, at + 16));
    if (type === '00000000-0000-0000-0000-000000000000') continue;
    const first = Number(head.readBigUInt64LE(at + 32));
    const last = Number(head.readBigUInt64LE(at + 40));
    if (last < first || (last + 1) * SECTOR > diskSize) {
      throw new VirtpointError(
        'INVALID_STATE',
        `GPT entry ${i + 1} spans LBA ${first}–${last}, beyond the disk`,
      );
    }
    out.push({
      number: i + 1,
      offset: first * SECTOR,
      size: (last - first + 1) * SECTOR,
      kind: GPT_LINUX.has(type) ? 'linux' : type === GPT_SWAP ? 'swap' : 'other',
      type,
      name: head
        .subarray(at + 56, at + 128)
        .toString('utf16le')
        .replace(/\0.*$/s, ''),
    });
  }
  return out;
}

/** A GUID in its mixed-endian on-disk form, as the usual lower-case text. */
function guid(b: Buffer): string {
  const hex = (from: number, to: number) => b.subarray(from, to).toString('hex');
  const le = (from: number, to: number) => Buffer.from(b.subarray(from, to)).reverse().toString('hex');
  return `${le(0, 4)}-${le(4, 6)}-${le(6, 8)}-${hex(8, 10)}-${hex(10, 16)}`;
}

/** ext2/3/4 (magic 0xef53 at 1024+56) or xfs ("XFSB" at 0); null for anything else. */
export function probeFilesystem(first: Buffer): FilesystemType | null {
  if (first.length >= 4 && first.toString('latin1', 0, 4) === 'XFSB') return 'xfs';
  if (first.length >= 1024 + 58 && first.readUInt16LE(1024 + 56) === 0xef53) return 'ext4';
  return null;
}

/**
 * The partition to mount: `wanted` when given (INVALID_ARGUMENT naming the choices when there is
 * none such or it is not mountable), else the only Linux one, else the largest Linux one.
 */
export function choosePartition(layout: PartitionLayout, wanted?: number): Partition {
  const linux = layout.partitions.filter((p) => p.kind === 'linux');
  const numbers = layout.partitions.map((p) => `${p.number} (${p.kind})`).join(', ') || 'none';
  if (wanted !== undefined) {
    const p = layout.partitions.find((x) => x.number === wanted);
    if (p === undefined || p.kind === 'extended') {
      throw new VirtpointError(
        'INVALID_ARGUMENT',
        `the disk has no mountable partition ${wanted}; its partitions: ${numbers} (virtpoint point partitions)`,
      );
    }
    return p;
  }
  const best = [...linux].sort((a, b) => b.size - a.size)[0];
  if (best === undefined) {
    throw new VirtpointError(
      'INVALID_ARGUMENT',
      `the disk has no Linux partition; its partitions: ${numbers}; name one with --partition N`,
    );
  }
  return best;
}
