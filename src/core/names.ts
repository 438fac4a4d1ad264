/**
 * Names and ids: point names (custom or generated), short random ids, checkpoint names and disk
 * targets. Pure: randomness comes in as a `RandomBytes` source (crypto.randomBytes in production,
 * a seeded or fixed source in tests).
 */

import { VirtpointError } from './errors.js';
import { DISK_TARGET_RE, FILE_NAME_MAX, POINT_NAME_MAX } from './limits.js';

/** A source of random bytes, e.g. `crypto.randomBytes`. */
export type RandomBytes = (size: number) => Uint8Array;

/** Length of generated ids in hex characters (6 random bytes). */
export const ID_LENGTH = 12;
const ID_RE = /^[0-9a-f]{12}$/;

/** A short random id: 12 lowercase hex characters. */
export function newId(random: RandomBytes): string {
  const bytes = random(ID_LENGTH / 2);
  if (bytes.length < ID_LENGTH / 2)
    throw new VirtpointError('INTERNAL', 'random source returned too few bytes');
  let out = '';
  for (let i = 0; i < ID_LENGTH / 2; i++) out += (bytes[i] ?? 0).toString(16).padStart(2, '0');
  return out;
}

export function isValidId(id: string): boolean {
  return ID_RE.test(id);
}

/**
 * Custom point names: letters of any script (`\p{L}`, with the combining marks `\p{M}` that
 * scripts such as Devanagari or Thai need after a letter), decimal digits of any script
 * (`\p{Nd}`), `_` and `-`. No spaces, dots or slashes, so a name is never path-like.
 */
const POINT_NAME_RE = /^[\p{L}\p{Nd}_-][\p{L}\p{M}\p{Nd}_-]*$/u;

/** Why `name` is not a valid custom point name, or null when it is. */
export function pointNameProblem(name: string): string | null {
  if (name.length === 0) return 'the point name is empty';
  const length = [...name].length;
  if (length > POINT_NAME_MAX)
    return `the point name has ${length} characters; at most ${POINT_NAME_MAX} are allowed`;
  if (!POINT_NAME_RE.test(name)) {
    return 'a point name may contain only letters (any script), digits, "_" and "-"';
  }
  return null;
}

export function isValidPointName(name: string): boolean {
  return pointNameProblem(name) === null;
}

/** Throws INVALID_ARGUMENT unless `name` is a valid custom point name; returns it. */
export function validatePointName(name: string): string {
  const problem = pointNameProblem(name);
  if (problem !== null) throw new VirtpointError('INVALID_ARGUMENT', `${problem}: ${JSON.stringify(name)}`);
  return name;
}

export type NameTrigger = 'manual' | 'schedule' | 'retention';

/**
 * The default name of point `pointId` (its own id, so the name never reads as another id):
 * `autobk_<id>` for points made by the scheduler; for manual ones, `backup_<id>` when a task made
 * it (`task run`, `policy run`: `byTask`), else `manualbk_<id>` (a one-off backup).
 */
export function generatedPointName(trigger: NameTrigger, pointId: string, byTask = false): string {
  const prefix = trigger !== 'manual' ? 'autobk' : byTask ? 'backup' : 'manualbk';
  return `${prefix}_${pointId}`;
}

/** The custom name validated, or a generated one (of point `pointId`) when none was given. */
export function resolvePointName(
  custom: string | undefined,
  trigger: NameTrigger,
  pointId: string,
  byTask = false,
): string {
  return custom === undefined ? generatedPointName(trigger, pointId, byTask) : validatePointName(custom);
}

const CHECKPOINT_RE = /^vp-([0-9a-f]{12})-(0|[1-9][0-9]*)$/;

/** The libvirt checkpoint name of point `seq` of chain `chainId`: `vp-<chainId>-<seq>`. */
export function checkpointName(chainId: string, seq: number): string {
  if (!isValidId(chainId))
    throw new VirtpointError('INVALID_ARGUMENT', `invalid chain id ${JSON.stringify(chainId)}`);
  if (!Number.isSafeInteger(seq) || seq < 0)
    throw new VirtpointError('INVALID_ARGUMENT', `invalid seq ${seq}`);
  return `vp-${chainId}-${seq}`;
}

/** Chain id and seq of a virtpoint checkpoint name; null for checkpoints made by other tools. */
export function parseCheckpointName(name: string): { chainId: string; seq: number } | null {
  const m = CHECKPOINT_RE.exec(name);
  if (m === null || m[1] === undefined || m[2] === undefined) return null;
  const seq = Number(m[2]);
  return Number.isSafeInteger(seq) ? { chainId: m[1], seq } : null;
}

export function isVirtpointCheckpoint(name: string): boolean {
  return parseCheckpointName(name) !== null;
}

export function isValidDiskTarget(target: string): boolean {
  return DISK_TARGET_RE.test(target);
}

export function validateDiskTarget(target: string): string {
  if (!isValidDiskTarget(target)) {
    throw new VirtpointError('INVALID_ARGUMENT', `invalid disk target ${JSON.stringify(target)}`);
  }
  return target;
}

/**
 * The canonical key of a disk set: the targets sorted and joined with `,` (`vda,vdb`).
 * Chains are keyed by domain UUID + this key. Duplicates and invalid targets are rejected.
 */
export function diskSetKey(targets: readonly string[]): string {
  return canonicalDiskSet(targets).join(',');
}

/** The targets validated, sorted, duplicates rejected. */
export function canonicalDiskSet(targets: readonly string[]): string[] {
  if (targets.length === 0)
    throw new VirtpointError('INVALID_ARGUMENT', 'a disk set needs at least one disk');
  const sorted = targets.map(validateDiskTarget).sort();
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i] === sorted[i - 1]) {
      throw new VirtpointError('INVALID_ARGUMENT', `disk ${sorted[i]} is listed twice`);
    }
  }
  return sorted;
}

/** The targets of a disk-set key. */
export function parseDiskSetKey(key: string): string[] {
  return canonicalDiskSet(key.split(','));
}

const FILE_NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/**
 * Volume and image names, which become file names: 1–255 of `A-Z a-z 0-9 . _ -`, not starting
 * with `.` or `-` (no hidden files, nothing that reads as an option), never a path. Throws
 * INVALID_ARGUMENT naming `what`; returns the name.
 */
export function validateFileName(name: string, what: string): string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new VirtpointError('INVALID_ARGUMENT', `the ${what} name is empty`);
  }
  if (name.length > FILE_NAME_MAX) {
    throw new VirtpointError(
      'INVALID_ARGUMENT',
      `the ${what} name has ${name.length} characters; at most ${FILE_NAME_MAX} are allowed`,
    );
  }
  if (!FILE_NAME_RE.test(name)) {
    throw new VirtpointError(
      'INVALID_ARGUMENT',
      `a ${what} name may contain only A-Z, a-z, 0-9, ".", "_" and "-", and may not start with "." or "-": ${JSON.stringify(name)}`,
    );
  }
  return name;
}
