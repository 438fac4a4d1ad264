/** Verify (docs/verify.md): `POST /v1/points/{id}/verify`, `POST /v1/chains/{id}/verify`. */

export interface VerifyInput {
  /** Also read every allocated cluster of the flattened point (default false: quick). */
  readonly deep?: boolean;
}

export type FileVerdictView =
  'ok' | 'missing' | 'size-mismatch' | 'checksum-mismatch' | 'backing-mismatch' | 'qemu-img-error';

export interface FileFindingView {
  /** The point the file belongs to (the verified point or one of its ancestors). */
  readonly point: string;
  readonly seq: number;
  readonly disk: string;
  /** Path relative to the store. */
  readonly file: string;
  readonly verdict: FileVerdictView;
  /** What differs, or qemu-img's message; null when ok. */
  readonly detail: string | null;
  /** Checks that could not be made (a point from before checksums). */
  readonly unchecked?: readonly ('size' | 'sha256')[];
}

/** The result of a `verify` job for one point. */
export interface VerifyResultView {
  readonly point: string;
  readonly ok: boolean;
  readonly deep: boolean;
  /** `ok (4 files)` or the files not ok with their verdicts. */
  readonly summary: string;
  readonly files: readonly FileFindingView[];
  /** Points this verify marked corrupt. */
  readonly corrupt: readonly string[];
}

/** The result of a `verify` job for a chain: every readable point, oldest first. */
export interface ChainVerifyResultView {
  readonly chain: string;
  readonly ok: boolean;
  readonly summary: string;
  readonly points: readonly VerifyResultView[];
  readonly corrupt: readonly string[];
}

/** A point's last verify, in point views. */
export interface PointVerifyView {
  readonly state: 'never' | 'ok' | 'failed';
  /** ISO-8601 UTC; null while never verified. */
  readonly at: string | null;
  readonly deep: boolean | null;
  readonly summary: string | null;
}
