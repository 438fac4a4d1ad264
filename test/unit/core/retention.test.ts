import test, { type ExecutionContext } from 'ava';

import { isVirtpointError } from '../../../src/core/errors.js';
import type { PointState } from '../../../src/core/point-state.js';
import {
  chainsToDropBeforeNewChain,
  formatRetention,
  parseRetention,
  planRetention,
  type PointTrigger,
  type Retention,
  type RetentionChain,
  type RetentionInput,
  type RetentionPlan,
  type RetentionPoint,
} from '../../../src/core/retention.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 1);

/**
 * A resource from a compact spec: one string per chain, one letter per point: `a` automatic
 * available, `m` manual available, `e` automatic error, `x` manual error, `c` automatic creating,
 * `d` automatic delete-failed. Point ids are `<chain><seq>`; chains are named `a`, `b`, … in
 * age order; point k (counting across the resource) is created k days after the first, and
 * `now` is one day after the newest.
 */
function resource(retention: string, ...chains: string[]): RetentionInput {
  const letters: Record<string, [PointState, PointTrigger]> = {
    a: ['available', 'schedule'],
    m: ['available', 'manual'],
    e: ['error', 'schedule'],
    x: ['error', 'manual'],
    c: ['creating', 'schedule'],
    d: ['delete-failed', 'schedule'],
  };
  const points: RetentionPoint[] = [];
  const list: RetentionChain[] = [];
  let k = 0;
  const first = NOW - 1000 * DAY;
  chains.forEach((spec, ci) => {
    const chainId = String.fromCharCode(97 + ci);
    list.push({ id: chainId, createdAt: first + k * DAY });
    [...spec].forEach((letter, seq) => {
      const [state, trigger] = letters[letter]!;
      points.push({ id: `${chainId}${seq}`, chainId, seq, state, trigger, createdAt: first + k++ * DAY });
    });
  });
  return { retention: parseRetention(retention), chains: list, points, now: first + k * DAY };
}

/**
 * Executes a plan on a model of the resource and checks each step's preconditions (the child of
 * a merge, the new full, …), that no manual point goes, and that the kept set is what remains.
 */
function simulate(t: ExecutionContext, input: RetentionInput, plan: RetentionPlan): void {
  const chains = new Map<string, { usable: string[]; errors: Set<string> }>();
  for (const c of input.chains) chains.set(c.id, { usable: [], errors: new Set() });
  const byId = new Map(input.points.map((p) => [p.id, p]));
  for (const p of [...input.points].sort((a, b) => a.seq - b.seq)) {
    const c = chains.get(p.chainId)!;
    if (p.state === 'error') c.errors.add(p.id);
    else c.usable.push(p.id);
  }
  const chainOf = (id: string) => chains.get(byId.get(id)!.chainId)!;
  for (const s of plan.steps) {
    if (s.action === 'delete-chain') {
      const c = chains.get(s.chainId)!;
      t.deepEqual([...s.pointIds].sort(), [...c.usable, ...c.errors].sort(), 'delete-chain lists all points');
      chains.delete(s.chainId);
    } else if (s.action === 'delete-failed-point') {
      t.true(chainOf(s.pointId).errors.delete(s.pointId), `${s.pointId} is an error point`);
    } else {
      const c = chainOf(s.pointId);
      const i = c.usable.indexOf(s.pointId);
      if (s.action === 'merge-point') {
        t.true(i >= 1, `${s.pointId} is an incremental`);
        t.is(s.childPointId, c.usable[i + 1] ?? null, `child of ${s.pointId}`);
      } else if (s.action === 'drop-full-keep-rest') {
        t.is(i, 0, `${s.pointId} is the full point`);
        t.is(s.newFullPointId, c.usable[1] ?? 'none', `new full after ${s.pointId}`);
      } else {
        t.deepEqual(c.usable, [s.pointId], 'delete-point only for a lone full point');
      }
      c.usable.splice(i, 1);
    }
  }
  const remaining = [...chains.values()].flatMap((c) => [...c.usable, ...c.errors]);
  t.deepEqual([...remaining].sort(), [...plan.keptPointIds].sort(), 'kept = what remains');
  for (const id of plan.deletedPointIds) t.not(byId.get(id)!.trigger, 'manual', `manual ${id} deleted`);
  t.is(plan.deletedPointIds.length + plan.keptPointIds.length, input.points.length);
}

function check(t: ExecutionContext, input: RetentionInput, kept: string[]): RetentionPlan {
  const plan = planRetention(input);
  simulate(t, input, plan);
  t.deepEqual([...plan.keptPointIds].sort(), [...kept].sort());
  return plan;
}

test('parseRetention / formatRetention', (t) => {
  const cases: [string, Retention][] = [
    ['forever', { kind: 'forever' }],
    ['chains:3', { kind: 'chains', n: 3 }],
    ['count:1', { kind: 'count', n: 1 }],
    ['days:10000', { kind: 'days', n: 10000 }],
  ];
  for (const [text, r] of cases) {
    t.deepEqual(parseRetention(text), r);
    t.is(formatRetention(r), text);
  }
  const bad = 'never chains:0 count:-1 days:1.5 days:10001 Chains:3 count: count:x weeks:2 forever:1';
  for (const text of ['', ' forever', ...bad.split(' ')]) {
    const e = t.throws(() => parseRetention(text));
    t.true(isVirtpointError(e, 'INVALID_ARGUMENT'), text);
    t.regex(e?.message ?? '', /retention must be forever, chains:N, count:N, days:N or keep-/);
  }
});

test('forever keeps every point', (t) => {
  const plan = check(t, resource('forever', 'aaa', 'ama'), ['a0', 'a1', 'a2', 'b0', 'b1', 'b2']);
  t.deepEqual(plan.steps, []);
});

test('count:3 over chains of length 2: the oldest chain goes whole', (t) => {
  const plan = check(t, resource('count:3', 'aa', 'aa', 'aa'), ['b1', 'c0', 'c1']);
  t.deepEqual(plan.steps, [
    { action: 'delete-chain', chainId: 'a', pointIds: ['a0', 'a1'] },
    { action: 'drop-full-keep-rest', pointId: 'b0', newFullPointId: 'b1' },
  ]);
});

test('count:N synthetic full: merges first (newest first), then the full goes', (t) => {
  const plan = check(t, resource('count:2', 'aaaa'), ['a2', 'a3']);
  t.deepEqual(plan.steps, [
    { action: 'merge-point', pointId: 'a1', childPointId: 'a2' },
    { action: 'drop-full-keep-rest', pointId: 'a0', newFullPointId: 'a2' },
  ]);
  t.deepEqual(plan.deletedPointIds, ['a1', 'a0']);
});

test('manual points are never deleted; middle incrementals merge into the next kept point', (t) => {
  const plan = check(t, resource('count:1', 'maaa', 'mm'), ['a0', 'a3', 'b0', 'b1']);
  t.deepEqual(plan.steps, [
    { action: 'merge-point', pointId: 'a2', childPointId: 'a3' },
    { action: 'merge-point', pointId: 'a1', childPointId: 'a3' },
  ]);
});

test('the newest point of a chain goes without a child; a manual full becomes the only point', (t) => {
  const plan = check(t, resource('count:2', 'maa', 'aa'), ['a0', 'b0', 'b1']);
  t.deepEqual(plan.steps, [
    { action: 'merge-point', pointId: 'a2', childPointId: null },
    { action: 'merge-point', pointId: 'a1', childPointId: null },
  ]);
});

test('an automatic full with a manual incremental: the manual point becomes the synthetic full', (t) => {
  const plan = check(t, resource('count:1', 'ama', 'a'), ['a1', 'b0']);
  t.deepEqual(plan.steps, [
    { action: 'merge-point', pointId: 'a2', childPointId: null },
    { action: 'drop-full-keep-rest', pointId: 'a0', newFullPointId: 'a1' },
  ]);
});

test('days:N deletes automatic points older than N days (exactly N days stays)', (t) => {
  // 6 points, one a day; now is one day after the newest: ages 6,5,4,3,2,1 days.
  const input = resource('days:4', 'aaa', 'maa');
  const plan = check(t, input, ['a2', 'b0', 'b1', 'b2']);
  t.deepEqual(plan.steps, [
    { action: 'merge-point', pointId: 'a1', childPointId: 'a2' },
    { action: 'drop-full-keep-rest', pointId: 'a0', newFullPointId: 'a2' },
  ]);
  check(t, { ...input, retention: parseRetention('days:3') }, ['b0', 'b1', 'b2']);
  check(
    t,
    { ...input, retention: parseRetention('days:10') },
    input.points.map((p) => p.id),
  );
  check(t, { ...input, retention: parseRetention('days:1') }, ['b0', 'b2']);
});

test('chains:N keeps the N newest automatic chains; manual chains do not count and stay', (t) => {
  const plan = check(t, resource('chains:2', 'aa', 'mm', 'aaa', 'ma', 'a'), ['b0', 'b1', 'd0', 'd1', 'e0']);
  t.deepEqual(plan.steps, [
    { action: 'delete-chain', chainId: 'a', pointIds: ['a0', 'a1'] },
    { action: 'delete-chain', chainId: 'c', pointIds: ['c0', 'c1', 'c2'] },
  ]);
  check(t, resource('chains:1', 'aa', 'mm', 'aaa'), ['b0', 'b1', 'c0', 'c1', 'c2']);
  check(t, resource('chains:5', 'aa', 'aaa'), ['a0', 'a1', 'b0', 'b1', 'b2']);
});

test('chains:N: a chain whose full point is a manual run counts by its automatic points; the manual full stays', (t) => {
  // `ma`: a task run by hand made the full point, the schedule the incremental (one chain of the
  // task). It counts as an automatic chain; dropped, only its automatic point goes.
  const plan = check(t, resource('chains:1', 'maa', 'a'), ['a0', 'b0']);
  t.deepEqual(plan.steps, [
    { action: 'merge-point', pointId: 'a2', childPointId: null },
    { action: 'merge-point', pointId: 'a1', childPointId: null },
  ]);
});

test('chains:N: manual points of a dropped automatic chain stay (synthetic full)', (t) => {
  const plan = check(t, resource('chains:1', 'aam', 'a'), ['a2', 'b0']);
  t.deepEqual(plan.steps, [
    { action: 'merge-point', pointId: 'a1', childPointId: 'a2' },
    { action: 'drop-full-keep-rest', pointId: 'a0', newFullPointId: 'a2' },
  ]);
});

test('chainsToDropBeforeNewChain: the oldest automatic chains go so that N remain with the new one', (t) => {
  const full = resource('chains:2', 'aa', 'mm', 'aa');
  let plan = chainsToDropBeforeNewChain(full);
  simulate(t, full, plan);
  t.deepEqual(plan.steps, [{ action: 'delete-chain', chainId: 'a', pointIds: ['a0', 'a1'] }]);
  plan = chainsToDropBeforeNewChain({ ...full, retention: parseRetention('chains:3') });
  t.deepEqual(plan.steps, []);
  const one = resource('chains:1', 'mm', 'aaa');
  plan = chainsToDropBeforeNewChain(one);
  simulate(t, one, plan);
  t.deepEqual(plan.keptPointIds, ['a0', 'a1']);
  for (const r of ['forever', 'count:1', 'days:1']) {
    t.deepEqual(chainsToDropBeforeNewChain({ ...one, retention: parseRetention(r) }).steps, []);
  }
  // No failed-point cleanup here: that is planRetention's job.
  t.deepEqual(chainsToDropBeforeNewChain(resource('chains:5', 'a' + 'e'.repeat(12))).steps, []);
});

test('failed automatic backups: at most 10 kept, none older than 30 days; manual ones stay', (t) => {
  const input = resource('forever', 'a' + 'e'.repeat(12) + 'x');
  const plan = check(t, input, ['a0', ...Array.from({ length: 10 }, (_, i) => `a${i + 3}`), 'a13']);
  t.deepEqual(plan.steps, [
    { action: 'delete-failed-point', pointId: 'a1' },
    { action: 'delete-failed-point', pointId: 'a2' },
  ]);
  // Older than 30 days: one a day, now 1 day after the newest → e at ages 33, 32, 31, 30 days.
  const old = resource('forever', 'aeeee' + 'a'.repeat(29));
  check(
    t,
    old,
    old.points.map((p) => p.id).filter((id) => !['a1', 'a2', 'a3'].includes(id)),
  );
});

test('failed points go with their chain; a manual one keeps the chain (delete-point)', (t) => {
  let plan = check(t, resource('count:1', 'aea', 'a'), ['b0']);
  t.deepEqual(plan.steps, [{ action: 'delete-chain', chainId: 'a', pointIds: ['a0', 'a1', 'a2'] }]);
  plan = check(t, resource('count:1', 'axae', 'a'), ['a1', 'b0']);
  t.deepEqual(plan.steps, [
    { action: 'merge-point', pointId: 'a2', childPointId: null },
    { action: 'delete-point', pointId: 'a0' },
    { action: 'delete-failed-point', pointId: 'a3' },
  ]);
  // A chain of failed points only (its full failed) goes whole when they all age out.
  const failedOnly = resource('forever', 'e', 'a' + 'a'.repeat(31));
  plan = check(
    t,
    failedOnly,
    failedOnly.points.map((p) => p.id).filter((id) => id !== 'a0'),
  );
  t.deepEqual(plan.steps, [{ action: 'delete-chain', chainId: 'a', pointIds: ['a0'] }]);
});

test('busy or delete-failed chains are deferred whole', (t) => {
  let input = resource('count:1', 'aa', 'aac');
  let plan = check(t, input, ['b0', 'b1', 'b2']);
  t.deepEqual(plan.steps, [{ action: 'delete-chain', chainId: 'a', pointIds: ['a0', 'a1'] }]);
  t.deepEqual(plan.deferred, [{ chainId: 'b', reason: 'point b2 is creating' }]);
  input = resource('count:1', 'aac', 'aa');
  plan = check(t, input, ['a0', 'a1', 'a2', 'b1']);
  t.deepEqual(plan.deferred, [{ chainId: 'a', reason: 'point a2 is creating' }]);
  input = resource('count:1', 'ada', 'a');
  plan = check(t, input, ['a0', 'a1', 'a2', 'b0']);
  t.is(plan.deferred[0]?.chainId, 'a');
  // A busy chain with nothing to delete is not reported.
  t.deepEqual(check(t, resource('count:5', 'aac'), ['a0', 'a1', 'a2']).deferred, []);
});

test('protected points are held and never rewritten', (t) => {
  const base = resource('count:1', 'aaa', 'a');
  let plan = planRetention({ ...base, protectedPointIds: ['a2'] });
  simulate(t, base, plan);
  t.deepEqual(plan.held, ['a2']);
  // Deleting a0 and a1 would merge into a2 and make it a synthetic full: the chain waits.
  t.deepEqual(plan.steps, []);
  t.deepEqual(plan.deferred, [{ chainId: 'a', reason: 'point a2 is protected and would be rewritten' }]);
  // The protected full stays; later points merge away without touching it.
  plan = planRetention({ ...base, protectedPointIds: ['a0'] });
  simulate(t, base, plan);
  t.deepEqual(plan.held, ['a0']);
  t.deepEqual(plan.steps, [
    { action: 'merge-point', pointId: 'a2', childPointId: null },
    { action: 'merge-point', pointId: 'a1', childPointId: null },
  ]);
});

test('invalid input is rejected', (t) => {
  const base = resource('forever', 'aa');
  const p0 = base.points[0]!;
  const bad: [RetentionInput, RegExp][] = [
    [{ ...base, points: [...base.points, p0] }, /point a0 is listed twice/],
    [{ ...base, points: [...base.points, { ...p0, id: 'zz', chainId: 'q' }] }, /unknown chain q/],
    [{ ...base, points: [...base.points, { ...p0, id: 'zz' }] }, /two points with seq 0/],
    [{ ...base, chains: [...base.chains, base.chains[0]!] }, /chain a is listed twice/],
    [{ ...base, now: Number.NaN }, /now is not a valid instant/],
  ];
  for (const [input, message] of bad) {
    const e = t.throws(() => planRetention(input));
    t.true(isVirtpointError(e, 'INVALID_ARGUMENT'));
    t.regex(e?.message ?? '', message);
  }
});

/** A small seeded PRNG (mulberry32). */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** The rule, stated independently of the planner: the ids that remain. */
function oracle(input: RetentionInput): Set<string> {
  const r = input.retention;
  const auto = (p: RetentionPoint) => p.trigger === 'schedule';
  const newestFirst = [...input.points].sort((a, b) => b.createdAt - a.createdAt);
  const gone = new Set<string>();
  const candidates = newestFirst.filter((p) => auto(p) && p.state === 'available');
  if (r.kind === 'count') candidates.slice(r.n).forEach((p) => gone.add(p.id));
  if (r.kind === 'days')
    candidates.filter((p) => input.now - p.createdAt > r.n * DAY).forEach((p) => gone.add(p.id));
  if (r.kind === 'chains') {
    const fulls = input.chains
      .map(
        (c) =>
          input.points
            .filter((p) => p.chainId === c.id && p.state !== 'error')
            .sort((a, b) => a.seq - b.seq)[0],
      )
      .filter(
        (f): f is RetentionPoint =>
          f !== undefined &&
          input.points.some((p) => p.chainId === f.chainId && auto(p) && p.state !== 'error'),
      )
      .sort((a, b) => b.createdAt - a.createdAt);
    const dropped = new Set(fulls.slice(r.n).map((f) => f.chainId));
    candidates.filter((p) => dropped.has(p.chainId)).forEach((p) => gone.add(p.id));
  }
  newestFirst
    .filter((p) => auto(p) && p.state === 'error')
    .forEach((p, i) => {
      if (i >= 10 || input.now - p.createdAt > 30 * DAY) gone.add(p.id);
    });
  for (const c of input.chains) {
    const pts = input.points.filter((p) => p.chainId === c.id);
    const usable = pts.filter((p) => p.state !== 'error');
    if (usable.length > 0 && usable.every((p) => gone.has(p.id))) {
      pts.filter((p) => p.state === 'error' && auto(p)).forEach((p) => gone.add(p.id));
    }
  }
  return new Set(input.points.map((p) => p.id).filter((id) => !gone.has(id)));
}

test('property: for random resources, exactly the points the rule keeps remain, each step valid', (t) => {
  const rand = rng(7);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const seen = new Set<string>();
  for (let round = 0; round < 400; round++) {
    const chains = 1 + Math.floor(rand() * 5);
    const specs: string[] = [];
    for (let c = 0; c < chains; c++) {
      if (rand() < 0.1) {
        specs.push('e'.repeat(1 + Math.floor(rand() * 3)));
        continue;
      }
      let spec = rand() < 0.25 ? 'm' : 'a';
      const len = Math.floor(rand() * 6);
      for (let i = 0; i < len; i++) spec += pick(['a', 'a', 'a', 'm', 'e', 'x']);
      specs.push(spec);
    }
    const retention = pick([
      'forever',
      'count:1',
      'count:3',
      'count:8',
      'days:2',
      'days:9',
      'chains:1',
      'chains:2',
      'chains:4',
    ]);
    const input = resource(retention, ...specs);
    const plan = planRetention(input);
    simulate(t, input, plan);
    t.deepEqual(new Set(plan.keptPointIds), oracle(input), `${retention} ${specs.join(' ')}`);
    t.deepEqual(plan.deferred, []);
    for (const step of plan.steps) seen.add(step.action);
  }
  t.deepEqual([...seen].sort(), [
    'delete-chain',
    'delete-failed-point',
    'delete-point',
    'drop-full-keep-rest',
    'merge-point',
  ]);
});
