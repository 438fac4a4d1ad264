/**
 * Verify, the pure part: what each file of a point's chain must be, what was found, and which
 * points that makes corrupt. The service (service/verify) gathers the observations through the
 * ports; nothing here touches the host.
 *
 * Quick verify, per file of the point and of every ancestor it reads through (oldest first):
 *  - `missing`            the file does not exist
 *  - `size-mismatch`      its length differs from the length recorded when it was written
 *  - `checksum-mismatch`  its sha256 differs from the recorded one
 *  - `backing-mismatch`   the qcow2 names another backing file than the parent's file
 *  - `qemu-img-error`     `qemu-img check` (or, deep, reading every cluster) reported errors
 *  - `ok`                 none of these (a file recorded before checksums existed is `ok` with
 *                         `unchecked: ['sha256']`)
 * The first finding that applies is the file's verdict. A point whose own file, or an ancestor's,
 * is not ok is not restorable: the first bad point and every later point of the chain become
 * `corrupt` (they read through it).
 */

export const FILE_VERDICTS = [
  'ok',
  'missing',
  'size-mismatch',
  'checksum-mismatch',
  'backing-mismatch',
  'qemu-img-error',
] as const;
export type FileVerdict = (typeof FILE_VERDICTS)[number];

/** What a file must be, from the catalog. */
export interface ExpectedFile {
  readonly pointId: string;
  readonly seq: number;
  readonly target: string;
  /** Path relative to the store root. */
  readonly path: string;
  /** Length in bytes when written; null: not recorded (a point from before checksums). */
  readonly fileSize: number | null;
  readonly sha256: string | null;
  /** The backing file the qcow2 must name (the parent's file name); null: none (full point). */
  readonly backing: string | null;
  readonly format: 'qcow2' | 'raw';
}

/** What was found on disk. Fields after `exists` are absent when not looked at. */
export interface ObservedFile {
  readonly exists: boolean;
  readonly fileSize?: number;
  readonly sha256?: string;
  /** Backing file name as written in the image (basename compared). */
  readonly backing?: string | null;
  /** Errors reported by qemu-img check / the deep read; null or absent: none. */
  readonly imageError?: string | null;
}

export interface FileFinding {
  readonly pointId: string;
  readonly seq: number;
  readonly target: string;
  readonly path: string;
  readonly verdict: FileVerdict;
  /** What differs, for an operator (expected vs found, qemu-img's message). */
  readonly detail: string | null;
  /** Checks that could not be made (nothing recorded to compare with). */
  readonly unchecked?: readonly ('size' | 'sha256')[];
}

const baseName = (p: string): string => p.slice(p.lastIndexOf('/') + 1);

export function judgeFile(want: ExpectedFile, got: ObservedFile): FileFinding {
  const at = { pointId: want.pointId, seq: want.seq, target: want.target, path: want.path };
  const finding = (verdict: FileVerdict, detail: string | null): FileFinding => ({ ...at, verdict, detail });
  if (!got.exists) return finding('missing', `${want.path} does not exist`);
  if (want.fileSize !== null && got.fileSize !== undefined && got.fileSize !== want.fileSize) {
    return finding('size-mismatch', `${want.path} is ${got.fileSize} bytes; ${want.fileSize} were written`);
  }
  if (want.sha256 !== null && got.sha256 !== undefined && got.sha256 !== want.sha256) {
    return finding('checksum-mismatch', `${want.path} has sha256 ${got.sha256}; ${want.sha256} was recorded`);
  }
  if (want.format === 'qcow2' && got.backing !== undefined) {
    const named = got.backing === null ? null : baseName(got.backing);
    const expected = want.backing === null ? null : baseName(want.backing);
    if (named !== expected) {
      return finding(
        'backing-mismatch',
        `${want.path} names backing file ${named ?? '(none)'}; expected ${expected ?? '(none)'}`,
      );
    }
  }
  if (got.imageError !== undefined && got.imageError !== null) {
    return finding('qemu-img-error', got.imageError);
  }
  const unchecked: ('size' | 'sha256')[] = [];
  if (want.fileSize === null) unchecked.push('size');
  if (want.sha256 === null) unchecked.push('sha256');
  return unchecked.length > 0 ? { ...finding('ok', null), unchecked } : finding('ok', null);
}

export interface ChainMember {
  readonly id: string;
  readonly seq: number;
  readonly state: string;
}

/**
 * The points a verify makes corrupt: the lowest-seq point with a finding that is not ok, and
 * every later point of the chain that can read through it (not `error`, not already `corrupt`,
 * not being deleted). Empty when every finding is ok.
 */
export function corruptPoints(chain: readonly ChainMember[], findings: readonly FileFinding[]): string[] {
  const bad = findings.filter((f) => f.verdict !== 'ok');
  if (bad.length === 0) return [];
  const from = Math.min(...bad.map((f) => f.seq));
  return [...chain]
    .filter((p) => p.seq >= from && (p.state === 'available' || p.state === 'restoring'))
    .sort((a, b) => a.seq - b.seq)
    .map((p) => p.id);
}

export interface VerifySummary {
  readonly ok: boolean;
  readonly files: number;
  readonly bad: number;
  /** One line: `ok (4 files)` or `2 of 4 files not ok: vdb.1.qcow2 checksum-mismatch, …`. */
  readonly text: string;
}

export function summarize(findings: readonly FileFinding[]): VerifySummary {
  const bad = findings.filter((f) => f.verdict !== 'ok');
  const text =
    bad.length === 0
      ? `ok (${findings.length} file${findings.length === 1 ? '' : 's'})`
      : `${bad.length} of ${findings.length} files not ok: ` +
        bad.map((f) => `${baseName(f.path)} ${f.verdict}`).join(', ');
  return { ok: bad.length === 0, files: findings.length, bad: bad.length, text };
}
