/**
 * The catalog's verify side (`Catalog.verify`, docs/verify.md): the checksums a point's files
 * must match and what the last verify found.
 */

import type { FileChecksum } from './fs.js';
import type { Point, VerifyDetail } from './catalog-records.js';

export interface VerifyOutcome {
  readonly pointId: string;
  readonly ok: boolean;
  readonly detail: VerifyDetail;
  /**
   * Points the findings make corrupt (core/verify.ts corruptPoints): each goes `available`/
   * `restoring` → `corrupt`, gets this verify recorded as failed, and their chain is sealed with
   * `previous-point-corrupt` — all in one transaction. Empty when ok.
   */
  readonly corrupt: readonly string[];
}

export interface VerifyCatalog {
  /**
   * Records the length and sha256 per target of a point's files (a merge, synthetic full or
   * rollback's sealing rewrote them); null clears them (a rewrite is under way).
   * POINT_NOT_FOUND; DISK_NOT_FOUND for an unknown target.
   */
  recordChecksums(pointId: string, checksums: Readonly<Record<string, FileChecksum | null>>): Point;
  /** Writes a verify's result (one transaction, see VerifyOutcome). Returns the verified point. */
  recordVerify(outcome: VerifyOutcome): Point;
  /**
   * Available points whose last verify is older than `before` (or that were never verified),
   * least recently verified first (never-verified oldest first), at most `limit`.
   */
  listDue(before: number, limit: number): Point[];
}
