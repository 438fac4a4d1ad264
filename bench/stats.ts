/**
 * The bench's statistics and round order (issue 16), pure so unit tests cover them
 * (test/unit/bench/stats.test.ts). Every case times its tools interleaved: round i runs the
 * tools in the order rotated by i (A B, B A, A B, …), so drift of the host during the run (other
 * load, cache, writeback) lands on every tool alike.
 */

export interface Summary {
  readonly n: number;
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly p95: number;
}

function sorted(xs: readonly number[]): number[] {
  return [...xs].sort((a, b) => a - b);
}

export function median(xs: readonly number[]): number {
  const s = sorted(xs);
  if (s.length === 0) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Nearest-rank percentile (p in 0–100): the smallest sample with at least p % at or below it. */
export function percentile(xs: readonly number[], p: number): number {
  const s = sorted(xs);
  if (s.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length - 1, Math.max(0, rank - 1))]!;
}

export function summarize(xs: readonly number[]): Summary {
  const s = sorted(xs);
  return {
    n: s.length,
    median: median(s),
    min: s.length > 0 ? s[0]! : NaN,
    max: s.length > 0 ? s.at(-1)! : NaN,
    p95: percentile(s, 95),
  };
}

/** The order of the tools in round `round` (0-based): `tools` rotated left by `round`. */
export function rotation<T>(tools: readonly T[], round: number): T[] {
  const n = tools.length;
  if (n === 0) return [];
  const k = ((round % n) + n) % n;
  return [...tools.slice(k), ...tools.slice(0, k)];
}

/** baseline / ours, rounded to 3 places (> 1: ours is faster). NaN when either is not a time. */
export function speedRatio(baselineMs: number, oursMs: number): number {
  if (!(baselineMs > 0) || !(oursMs > 0)) return NaN;
  return Math.round((baselineMs / oursMs) * 1000) / 1000;
}

export type Comparison = '>=' | '<=' | '<';

export interface Target {
  readonly name: string;
  /** The measured figure (a ratio, ms or MB). */
  readonly value: number;
  readonly op: Comparison;
  readonly goal: number;
  readonly unit: string;
}

/** Whether a target is met; a figure that could not be measured (NaN) is missed. */
export function met(t: Target): boolean {
  if (Number.isNaN(t.value)) return false;
  if (t.op === '>=') return t.value >= t.goal;
  if (t.op === '<=') return t.value <= t.goal;
  return t.value < t.goal;
}

export function formatTarget(t: Target): string {
  const v = Number.isNaN(t.value) ? 'n/a' : `${round2(t.value)}${t.unit}`;
  return `${met(t) ? 'met   ' : 'MISSED'}  ${t.name}: ${v} (goal ${t.op} ${t.goal}${t.unit})`;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
