/**
 * The point state machine.
 *
 * ```
 * creating ──► available ──► restoring ──► available
 *    │            │  ▲
 *    │            │  └──────── (restore done or failed: the point itself is unchanged)
 *    │            ├──► deleting ──► delete-failed ──► deleting (retry)
 *    │            ├──► error  (files found missing or corrupt; the chain is sealed)
 *    │            └──► corrupt ──► deleting  (a verify failed; the chain is sealed)
 *    └──► error ──► deleting
 * ```
 *
 * - `creating`: the backup job runs; the files are being written.
 * - `available`: complete and restorable.
 * - `restoring`: being read by a rollback / create-volume / create-image job.
 * - `deleting`: a delete (or merge into its child) runs; deleting ends by removing the row.
 * - `error`: a failed backup (files and checkpoint removed) or a point found broken.
 * - `delete-failed`: a delete stopped halfway; the operator (or retention) retries it.
 * - `corrupt`: a verify found a file of the point or of an ancestor missing, of the wrong size
 *   or checksum, or unreadable (also: the point before a restore). Terminal but deletable; never
 *   read, never a base (docs/verify.md).
 */

import { VirtpointError } from './errors.js';

export type PointKind = 'full' | 'incremental';
export type Consistency = 'filesystem' | 'crash' | 'offline';

export const POINT_STATES = [
  'creating',
  'available',
  'restoring',
  'deleting',
  'error',
  'delete-failed',
  'corrupt',
] as const;
export type PointState = (typeof POINT_STATES)[number];

export const POINT_TRANSITIONS: Readonly<Record<PointState, readonly PointState[]>> = {
  creating: ['available', 'error'],
  available: ['restoring', 'deleting', 'error', 'corrupt'],
  restoring: ['available', 'error', 'corrupt'],
  deleting: ['delete-failed'],
  error: ['deleting'],
  'delete-failed': ['deleting'],
  corrupt: ['deleting'],
};

export function isPointState(s: string): s is PointState {
  return (POINT_STATES as readonly string[]).includes(s);
}

export function canTransition(from: PointState, to: PointState): boolean {
  return POINT_TRANSITIONS[from].includes(to);
}

/** Throws INVALID_STATE when a point may not go from `from` to `to`. */
export function assertTransition(from: PointState, to: PointState, pointId?: string): void {
  if (!canTransition(from, to)) {
    const who = pointId === undefined ? 'a point' : `point ${pointId}`;
    const allowed = POINT_TRANSITIONS[from];
    throw new VirtpointError(
      'INVALID_STATE',
      `${who} cannot go from ${from} to ${to}` +
        (allowed.length > 0 ? ` (from ${from} only to: ${allowed.join(', ')})` : ''),
      { details: { from, to, pointId } },
    );
  }
}

/** States in which a job works on the point; another job must wait (POINT_BUSY). */
export function isPointBusy(state: PointState): boolean {
  return state === 'creating' || state === 'restoring' || state === 'deleting';
}

/** States whose content can be read (restore, create volume/image, base of an incremental). */
export function isPointReadable(state: PointState): boolean {
  return state === 'available' || state === 'restoring';
}
