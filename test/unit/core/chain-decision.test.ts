import test from 'ava';

import {
  chainLength,
  chainTip,
  decideChain,
  nextSeq,
  type ChainDecisionInput,
  type ChainPointView,
  type ChainView,
  type NewChainReason,
} from '../../../src/core/chain-decision.js';
import { validateChainLength } from '../../../src/core/limits.js';
import type { PointState } from '../../../src/core/point-state.js';

const C = 'c0c0c0c0c0c0';
const GiB = 1024 ** 3;
const cp = (seq: number) => `vp-${C}-${seq}`;

function point(
  seq: number,
  state: PointState = 'available',
  sizes: Record<string, number> = {},
): ChainPointView {
  return {
    seq,
    state,
    disks: ['vda', 'vdb'].map((target) => ({
      target,
      virtualSize: sizes[target] ?? 10 * GiB,
      checkpoint: cp(seq),
    })),
  };
}

function chain(points: ChainPointView[], over: Partial<ChainView> = {}): ChainView {
  return { id: C, state: 'open', diskSet: ['vdb', 'vda'], points, ...over };
}

/** A healthy 2-disk domain whose open chain has `n` available points. */
function input(n = 3, over: Partial<ChainDecisionInput> = {}): ChainDecisionInput {
  const points = Array.from({ length: n }, (_, i) => point(i));
  return {
    chain: chain(points),
    disks: [
      { target: 'vdb', format: 'qcow2', capacity: 10 * GiB },
      { target: 'vda', format: 'qcow2', capacity: 10 * GiB },
    ],
    checkpoints: points.map((p) => ({ name: cp(p.seq), bitmapDisks: ['vda', 'vdb'] })),
    bitmaps: { vda: 'ok', vdb: 'ok' },
    ...over,
  };
}

function full(
  t: import('ava').ExecutionContext,
  i: ChainDecisionInput,
  reason: NewChainReason,
  seal: boolean,
) {
  const d = decideChain(i);
  if (d.kind !== 'full') return t.fail(`expected full/${reason}, got ${JSON.stringify(d)}`);
  t.is(d.reason, reason);
  t.is(d.sealChainId, seal ? C : undefined);
  t.true(d.detail.length > 0);
  return d;
}

test('healthy open chain → incremental on the tip', (t) => {
  t.deepEqual(decideChain(input(3)), {
    kind: 'incremental',
    chainId: C,
    seq: 3,
    parentSeq: 2,
    parentCheckpoint: cp(2),
  });
});

test('bitmap state unknown or absent is trusted (libvirt validates at backupBegin)', (t) => {
  t.is(decideChain(input(1, { bitmaps: { vda: 'unknown' } })).kind, 'incremental');
  t.is(decideChain(input(1, { bitmaps: undefined })).kind, 'incremental');
});

test('failed backups (error points) are skipped: seq not reused, parent is the tip', (t) => {
  const base = input(2);
  const points = [...base.chain!.points, point(2, 'error'), point(3, 'error')];
  const d = decideChain({ ...base, chain: chain(points) });
  t.deepEqual(d, { kind: 'incremental', chainId: C, seq: 4, parentSeq: 1, parentCheckpoint: cp(1) });
  t.is(chainLength(points), 2);
  t.is(nextSeq(points), 4);
  t.is(chainTip(points)?.seq, 1);
});

test('no-chain', (t) => {
  full(t, input(0, { chain: null }), 'no-chain', false);
});

test('requested (seals the open chain; also without a chain)', (t) => {
  full(t, input(3, { full: true }), 'requested', true);
  full(t, input(0, { chain: null, full: true }), 'requested', false);
});

test('chain-sealed (nothing to seal)', (t) => {
  const i = input(3);
  full(t, { ...i, chain: { ...i.chain!, state: 'sealed' } }, 'chain-sealed', false);
});

test('restored: the chain was sealed by a rollback (nothing to seal)', (t) => {
  const i = input(3);
  full(t, { ...i, chain: { ...i.chain!, state: 'sealed', sealReason: 'restored' } }, 'restored', false);
  // another seal reason stays chain-sealed
  full(t, { ...i, chain: { ...i.chain!, state: 'sealed', sealReason: 'chain-full' } }, 'chain-sealed', false);
  // requested still wins
  full(
    t,
    { ...i, full: true, chain: { ...i.chain!, state: 'sealed', sealReason: 'restored' } },
    'requested',
    false,
  );
});

test('disk-set-changed: disk added, disk removed', (t) => {
  const i = input(3);
  full(
    t,
    { ...i, disks: [...i.disks, { target: 'vdc', format: 'qcow2', capacity: GiB }] },
    'disk-set-changed',
    true,
  );
  full(t, { ...i, disks: i.disks.filter((d) => d.target !== 'vdb') }, 'disk-set-changed', true);
});

test('disk-set-changed when the tip lacks a disk of the chain set', (t) => {
  const i = input(1);
  const tip: ChainPointView = {
    seq: 0,
    state: 'available',
    disks: [{ target: 'vda', virtualSize: 10 * GiB, checkpoint: cp(0) }],
  };
  full(t, { ...i, chain: chain([tip]) }, 'disk-set-changed', true);
});

test('non-qcow2-disk: raw or unknown format, every time (even with full or no chain)', (t) => {
  const i = input(3);
  const raw = [
    { target: 'vda', format: 'qcow2', capacity: 10 * GiB },
    { target: 'vdb', format: 'raw', capacity: 10 * GiB },
  ];
  const d = full(t, { ...i, disks: raw }, 'non-qcow2-disk', true);
  t.regex(d.detail, /vdb is raw/);
  full(t, { ...i, disks: raw, full: true }, 'non-qcow2-disk', true);
  full(t, { ...i, chain: null, disks: raw }, 'non-qcow2-disk', false);
  const unknown = [
    { target: 'vda', format: null, capacity: 1 },
    { target: 'vdb', format: 'qcow2', capacity: 1 },
  ];
  full(t, { ...i, disks: unknown }, 'non-qcow2-disk', true);
});

test('previous-point-unusable: no usable point, or the tip is creating/deleting/delete-failed', (t) => {
  const i = input(3);
  full(t, { ...i, chain: chain([point(0, 'error')]) }, 'previous-point-unusable', true);
  full(t, { ...i, chain: chain([]) }, 'previous-point-unusable', true);
  for (const state of ['creating', 'deleting', 'delete-failed'] as const) {
    full(t, { ...i, chain: chain([point(0), point(1, state)]) }, 'previous-point-unusable', true);
  }
  t.is(decideChain({ ...i, chain: chain([point(0), point(1), point(2, 'restoring')]) }).kind, 'incremental');
});

test('disk-resized: grown or shrunk', (t) => {
  const i = input(3);
  const d = full(
    t,
    { ...i, disks: [i.disks[0]!, { target: 'vda', format: 'qcow2', capacity: 12 * GiB }] },
    'disk-resized',
    true,
  );
  t.regex(d.detail, /disk vda was 10737418240 bytes .* 12884901888 bytes now/);
  full(
    t,
    { ...i, disks: [i.disks[1]!, { target: 'vdb', format: 'qcow2', capacity: GiB }] },
    'disk-resized',
    true,
  );
});

test('checkpoint-missing: gone from libvirt, or not recorded on the tip', (t) => {
  const i = input(3);
  full(t, { ...i, checkpoints: i.checkpoints.filter((c) => c.name !== cp(2)) }, 'checkpoint-missing', true);
  full(t, { ...i, checkpoints: [] }, 'checkpoint-missing', true);
  const tip: ChainPointView = {
    seq: 0,
    state: 'available',
    disks: [
      { target: 'vda', virtualSize: 10 * GiB, checkpoint: null },
      { target: 'vdb', virtualSize: 10 * GiB, checkpoint: null },
    ],
  };
  full(t, { ...i, chain: chain([tip]) }, 'checkpoint-missing', true);
});

test('bitmap-missing: checkpoint without the disk, or bitmap known missing', (t) => {
  const i = input(3);
  const checkpoints = i.checkpoints.map((c) => (c.name === cp(2) ? { ...c, bitmapDisks: ['vda'] } : c));
  const d = full(t, { ...i, checkpoints }, 'bitmap-missing', true);
  t.regex(d.detail, /vdb/);
  full(t, { ...i, bitmaps: { vda: 'ok', vdb: 'missing' } }, 'bitmap-missing', true);
});

test('bitmap-inconsistent', (t) => {
  const i = input(3);
  full(t, { ...i, bitmaps: { vda: 'inconsistent', vdb: 'ok' } }, 'bitmap-inconsistent', true);
});

test('chain-full at maxLength usable points; error points do not count', (t) => {
  full(t, input(30), 'chain-full', true);
  full(t, input(3, { maxLength: 3 }), 'chain-full', true);
  full(t, input(1, { maxLength: 1 }), 'chain-full', true);
  t.is(decideChain(input(29)).kind, 'incremental');
  const i = input(2, { maxLength: 3 });
  t.is(decideChain({ ...i, chain: chain([...i.chain!.points, point(2, 'error')]) }).kind, 'incremental');
});

test('max length validated: integer 1–30, default 30', (t) => {
  t.is(validateChainLength(undefined), 30);
  t.is(validateChainLength(1), 1);
  t.is(validateChainLength(30), 30);
  for (const bad of [0, 31, -1, 2.5, NaN]) {
    t.throws(() => validateChainLength(bad), { code: 'INVALID_ARGUMENT' });
    t.throws(() => decideChain(input(1, { maxLength: bad })), { code: 'INVALID_ARGUMENT' });
  }
});

test('bad disk lists are INVALID_ARGUMENT', (t) => {
  t.throws(() => decideChain(input(1, { disks: [] })), { code: 'INVALID_ARGUMENT' });
  const dup = { target: 'vda', format: 'qcow2', capacity: 1 };
  t.throws(() => decideChain(input(1, { disks: [dup, dup] })), { code: 'INVALID_ARGUMENT' });
  t.throws(() => decideChain(input(1, { disks: [{ ...dup, target: '../x' }] })), {
    code: 'INVALID_ARGUMENT',
  });
});

test('order of checks: earlier reasons win when several apply', (t) => {
  const i = input(30);
  const resized = [i.disks[0]!, { target: 'vda', format: 'qcow2', capacity: 1 }];
  // non-qcow2 beats requested
  full(
    t,
    { ...i, full: true, disks: [{ target: 'vda', format: 'raw', capacity: 1 }, i.disks[0]!] },
    'non-qcow2-disk',
    true,
  );
  // requested beats everything after it
  full(t, { ...i, full: true, disks: resized, checkpoints: [] }, 'requested', true);
  // restored beats disk-set-changed
  full(
    t,
    { ...i, chain: { ...i.chain!, state: 'sealed', sealReason: 'restored' }, disks: [i.disks[0]!] },
    'restored',
    false,
  );
  // chain-sealed beats disk-set-changed
  full(t, { ...i, chain: { ...i.chain!, state: 'sealed' }, disks: [i.disks[0]!] }, 'chain-sealed', false);
  // disk-set-changed beats previous-point-unusable
  full(t, { ...i, chain: chain([point(0, 'error')]), disks: [i.disks[0]!] }, 'disk-set-changed', true);
  // disk-resized beats checkpoint-missing and chain-full
  full(t, { ...i, disks: resized, checkpoints: [] }, 'disk-resized', true);
  // checkpoint-missing beats bitmap problems
  full(t, { ...i, checkpoints: [], bitmaps: { vda: 'inconsistent' } }, 'checkpoint-missing', true);
  // bitmap-missing beats bitmap-inconsistent, regardless of disk order
  full(t, { ...i, bitmaps: { vda: 'inconsistent', vdb: 'missing' } }, 'bitmap-missing', true);
  // bitmap-inconsistent beats chain-full
  full(t, { ...i, bitmaps: { vdb: 'inconsistent' } }, 'bitmap-inconsistent', true);
  // with two resized disks the detail names the first target in sorted order
  const both = [
    { target: 'vdb', format: 'qcow2', capacity: 1 },
    { target: 'vda', format: 'qcow2', capacity: 1 },
  ];
  t.regex(full(t, { ...i, disks: both }, 'disk-resized', true).detail, /^disk vda /);
});
