/**
 * The chain rule: continue the open chain with an incremental point, or start a new chain with a
 * full point, and say why.
 *
 * Seqs are never reused inside a chain: a failed backup leaves its point in `error` with its seq,
 * and the next point takes the next seq, built on the newest usable point (the *tip*). That way a
 * checkpoint name (`vp-<chain>-<seq>`) or a store file name that a failed or crashed job may have
 * left behind can never collide with a later point. The backing file of an incremental is
 * therefore the tip's file (`parentSeq`), usually but not always `seq - 1`.
 *
 * Invariant expected from the catalog: an *open* chain holds `error` points only for failed
 * backups (a point that breaks after having been `available` seals its chain). `error` points are
 * not counted in the chain length and are never a parent.
 *
 * Order of the checks (the first that applies gives the reason):
 *  1. `maxLength` outside 1–30, no disks, duplicate or invalid targets → INVALID_ARGUMENT
 *  2. `non-qcow2-disk`        a selected disk is not qcow2 (raw, unknown): no bitmaps, so every
 *                             point of it is a full copy (the previous open chain is sealed)
 *  3. `requested`             the caller asked for a full point
 *  4. `no-chain`              no chain for this domain + disk set
 *  5. `restored`              the newest chain of this disk set was sealed by a rollback (its
 *                             checkpoints went with the old disk files)
 *     `previous-point-corrupt` the newest chain was sealed because a verify found a point corrupt
 *     `chain-sealed`          the newest chain of this disk set is sealed for another reason
 *  6. `disk-set-changed`      the chain covers another set of disks (disk added or removed)
 *  7. `previous-point-unusable` the chain has no usable point, or its tip is not readable
 *                             (creating, deleting, delete-failed)
 *  8. `disk-resized`          a disk's capacity differs from its virtual size at the tip
 *  9. `checkpoint-missing`    the tip's checkpoint is unknown to libvirt (or not recorded)
 * 10. `bitmap-missing`        the checkpoint does not cover a disk with a bitmap, or the bitmap
 *                             is known to be missing from the qcow2
 * 11. `bitmap-inconsistent`   the bitmap is known to be inconsistent (e.g. QEMU was killed)
 * 12. `chain-full`            the chain already holds `maxLength` usable points
 * Otherwise: incremental on the tip. Disks are always examined in sorted target order, so the
 * detail message is deterministic too.
 *
 * `sealChainId` is set on a full decision whenever the examined chain is still open: the new
 * chain replaces it (one open chain per domain + disk set).
 */

import { VirtpointError } from './errors.js';
import { validateChainLength } from './limits.js';
import { canonicalDiskSet } from './names.js';
import { isPointReadable, type PointState } from './point-state.js';

export const NEW_CHAIN_REASONS = [
  'no-chain',
  'requested',
  'chain-full',
  'disk-set-changed',
  'disk-resized',
  'checkpoint-missing',
  'bitmap-missing',
  'bitmap-inconsistent',
  'previous-point-unusable',
  'chain-sealed',
  'non-qcow2-disk',
  'restored',
  'previous-point-corrupt',
] as const;
export type NewChainReason = (typeof NEW_CHAIN_REASONS)[number];

export type BitmapState = 'ok' | 'missing' | 'inconsistent' | 'unknown';

export interface ChainPointDiskView {
  readonly target: string;
  readonly virtualSize: number;
  readonly checkpoint: string | null;
}

export interface ChainPointView {
  readonly seq: number;
  readonly state: PointState;
  readonly disks: readonly ChainPointDiskView[];
}

export interface ChainView {
  readonly id: string;
  /** Only open and sealed chains are continued; any other state is treated as sealed. */
  readonly state: 'pending' | 'open' | 'sealed' | 'failed';
  /** Why a sealed chain was sealed (`restored`: a rollback wrote over its disks); null if open. */
  readonly sealReason?: string | null;
  /** The chain's disk targets (any order). */
  readonly diskSet: readonly string[];
  /** All points of the chain, any order, `error` ones included. */
  readonly points: readonly ChainPointView[];
}

export interface CurrentDisk {
  readonly target: string;
  /** Driver type from the domain XML; null when unknown (treated as not qcow2). */
  readonly format: string | null;
  /** Current virtual size in bytes. */
  readonly capacity: number;
}

export interface LibvirtCheckpointView {
  readonly name: string;
  /** Targets the checkpoint covers with a bitmap. */
  readonly bitmapDisks: readonly string[];
}

export interface ChainDecisionInput {
  /**
   * The chain to continue: the newest chain (open or sealed) of this domain + disk set; for a
   * whole-domain backup with no chain for the current set, the domain's open whole-domain chain
   * (so a disk added or removed is seen as `disk-set-changed`). Null when there is none.
   */
  readonly chain: ChainView | null;
  /** The disks to back up now (the selected disks of the domain). */
  readonly disks: readonly CurrentDisk[];
  /** The checkpoints libvirt has for the domain now. */
  readonly checkpoints: readonly LibvirtCheckpointView[];
  /** Bitmap state per target as known (from qcow2 inspection); absent means `unknown`. */
  readonly bitmaps?: Readonly<Record<string, BitmapState>>;
  /** The caller asked for a full point. */
  readonly full?: boolean;
  /** Max points per chain, 1–30; default 30. */
  readonly maxLength?: number;
}

export type ChainDecision =
  | {
      readonly kind: 'incremental';
      readonly chainId: string;
      /** Seq of the new point: one more than the highest seq in the chain. */
      readonly seq: number;
      /** Seq of the tip the new point is built on (its files are the backing files). */
      readonly parentSeq: number;
      /** The tip's checkpoint: the backup is incremental from it. */
      readonly parentCheckpoint: string;
    }
  | {
      readonly kind: 'full';
      readonly reason: NewChainReason;
      /** Human-readable explanation (which disk, which sizes, …). */
      readonly detail: string;
      /** The open chain to seal with `reason` when the new chain is created. */
      readonly sealChainId?: string;
    };

/** The newest usable point of a chain (highest seq that is not `error`), or null. */
export function chainTip(points: readonly ChainPointView[]): ChainPointView | null {
  let tip: ChainPointView | null = null;
  for (const p of points) if (p.state !== 'error' && (tip === null || p.seq > tip.seq)) tip = p;
  return tip;
}

/** The seq the next point of a chain gets: one more than the highest seq, error points included. */
export function nextSeq(points: readonly ChainPointView[]): number {
  return points.reduce((max, p) => Math.max(max, p.seq), -1) + 1;
}

/** Number of points counted against the chain length (all but `error`). */
export function chainLength(points: readonly ChainPointView[]): number {
  return points.filter((p) => p.state !== 'error').length;
}

export function decideChain(input: ChainDecisionInput): ChainDecision {
  const maxLength = validateChainLength(input.maxLength);
  const targets = canonicalDiskSet(input.disks.map((d) => d.target));
  const disks = [...input.disks].sort((a, b) => (a.target < b.target ? -1 : a.target > b.target ? 1 : 0));
  const chain = input.chain;
  const seal = chain !== null && chain.state === 'open' ? { sealChainId: chain.id } : {};
  const full = (reason: NewChainReason, detail: string): ChainDecision => ({
    kind: 'full',
    reason,
    detail,
    ...seal,
  });

  const nonQcow2 = disks.find((d) => d.format !== 'qcow2');
  if (nonQcow2 !== undefined) {
    return full(
      'non-qcow2-disk',
      `disk ${nonQcow2.target} is ${nonQcow2.format ?? 'of unknown format'}, not qcow2: no dirty bitmaps, every point is a full copy`,
    );
  }
  if (input.full === true) return full('requested', 'a full point was requested');
  if (chain === null) return full('no-chain', 'no chain exists for this disk set');
  if (chain.state !== 'open') {
    if (chain.sealReason === 'restored') {
      return full('restored', `chain ${chain.id} was sealed by a rollback of the domain's disks`);
    }
    if (chain.sealReason === 'previous-point-corrupt') {
      return full('previous-point-corrupt', `a verify found a point of chain ${chain.id} corrupt`);
    }
    return full('chain-sealed', `chain ${chain.id} is sealed`);
  }

  const chainSet = canonicalDiskSet(chain.diskSet);
  if (chainSet.join(',') !== targets.join(',')) {
    return full(
      'disk-set-changed',
      `chain ${chain.id} covers ${chainSet.join(', ')}; the disks now are ${targets.join(', ')}`,
    );
  }

  const tip = chainTip(chain.points);
  if (tip === null) return full('previous-point-unusable', `chain ${chain.id} has no usable point`);
  if (!isPointReadable(tip.state)) {
    return full(
      'previous-point-unusable',
      `the newest point (seq ${tip.seq}) of chain ${chain.id} is ${tip.state}`,
    );
  }

  const tipDisks = new Map(tip.disks.map((d) => [d.target, d]));
  for (const disk of disks) {
    const prev = tipDisks.get(disk.target);
    if (prev === undefined) {
      return full('disk-set-changed', `the newest point of chain ${chain.id} has no disk ${disk.target}`);
    }
    if (prev.virtualSize !== disk.capacity) {
      return full(
        'disk-resized',
        `disk ${disk.target} was ${prev.virtualSize} bytes at the previous point and is ${disk.capacity} bytes now`,
      );
    }
  }

  const checkpoints = new Map(input.checkpoints.map((c) => [c.name, c]));
  let parentCheckpoint: string | null = null;
  for (const disk of disks) {
    const name = tipDisks.get(disk.target)?.checkpoint ?? null;
    if (name === null) {
      return full('checkpoint-missing', `the previous point has no checkpoint for disk ${disk.target}`);
    }
    if (parentCheckpoint !== null && name !== parentCheckpoint) {
      return full(
        'checkpoint-missing',
        `the previous point's disks have different checkpoints (${parentCheckpoint}, ${name})`,
      );
    }
    parentCheckpoint = name;
    if (!checkpoints.has(name)) {
      return full('checkpoint-missing', `checkpoint ${name} of the previous point is gone from libvirt`);
    }
  }
  if (parentCheckpoint === null) throw new VirtpointError('INTERNAL', 'no parent checkpoint');
  const checkpoint = checkpoints.get(parentCheckpoint);

  for (const disk of disks) {
    const known = input.bitmaps?.[disk.target] ?? 'unknown';
    if (checkpoint?.bitmapDisks.includes(disk.target) !== true || known === 'missing') {
      return full('bitmap-missing', `disk ${disk.target} has no bitmap for checkpoint ${parentCheckpoint}`);
    }
  }
  for (const disk of disks) {
    if ((input.bitmaps?.[disk.target] ?? 'unknown') === 'inconsistent') {
      return full(
        'bitmap-inconsistent',
        `the bitmap of disk ${disk.target} for checkpoint ${parentCheckpoint} is inconsistent`,
      );
    }
  }

  const length = chainLength(chain.points);
  if (length >= maxLength) {
    return full('chain-full', `chain ${chain.id} holds ${length} points; the maximum is ${maxLength}`);
  }
  return {
    kind: 'incremental',
    chainId: chain.id,
    seq: nextSeq(chain.points),
    parentSeq: tip.seq,
    parentCheckpoint,
  };
}
