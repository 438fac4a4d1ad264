/**
 * Retention rules of a backup task and the planner that applies one to one resource (a domain +
 * disk set): which points to delete, how, in which order, and exactly which points remain. The
 * caller gives only the task's own chains (service/scheduling/retention-run.ts): another task's
 * and the manual chains are never an input.
 *
 * Terms:
 * - A point is **automatic** when its trigger is `schedule` (the task made it on schedule);
 *   `manual` (a task run by hand: `backup_<id>`) and every other trigger are treated as manual:
 *   never counted and never deleted by retention, in any state.
 * - The **usable** points of a chain are its non-`error` points in seq order; the first is the
 *   chain's **full** point (seq 0, or the synthetic full that replaced it), each later one backs
 *   onto the previous usable one (see chain-decision.ts). A chain is **automatic** when it holds
 *   a usable automatic point (its full point may be a manual run's); chains are ranked by their
 *   full point.
 * - Rules consider automatic `available` points:
 *   - `keep-daily:7,keep-weekly:4,…` (GFS): per local day/week/month/year the newest point is
 *     kept, for the N newest buckets of each rule; see retention-gfs.ts;
 *   - `forever`: keep all; `count:N`: keep the newest N (by `createdAt`, then chain order, seq);
 *   - `days:N`: delete those created more than N × 24 h before `now`;
 *   - `chains:N`: keep the N newest automatic chains (by their full point's `createdAt`), delete
 *     the automatic points of the others (manual points in them stay: see the synthetic full).
 *   And, for every rule, failed automatic backups (`error` points): at most the 10 newest are
 *   kept, none created more than 30 days before `now`.
 * - **Busy chains are left alone**: a chain holding a point that is `creating`, `restoring`,
 *   `deleting` or `delete-failed` gets no step this time (it is listed in `deferred`); its points
 *   all remain and the next cleanup retries. Points in `protectedPointIds` (e.g. the base of a
 *   linked image) are never deleted (listed in `held`) nor rewritten: a chain whose steps would
 *   merge into or rebase a protected point is deferred as a whole.
 *
 * Restorability: the steps never remove a point another kept point depends on.
 * - An incremental goes by `merge-point`: its changes merge into its child (the next usable
 *   point, rebased onto the point's parent); with no child (`childPointId: null`) it is the newest
 *   and its files simply go. Incrementals of a chain are handled newest first.
 * - The full point, when later points stay, goes last by `drop-full-keep-rest`: the first
 *   remaining point becomes a **synthetic full** (its files rebased onto nothing).
 * - When no point of the chain remains, one `delete-chain` step removes it whole. When only
 *   manual `error` points remain, the full point goes by `delete-point` and the chain stays.
 * - Failed points of a chain that stays go by `delete-failed-point` (nothing depends on them).
 * Steps come chain by chain, oldest chain first, in the order to execute them.
 */

import { VirtpointError } from './errors.js';
import type { PointState } from './point-state.js';
import { GFS_KEYS, gfsKeep, type GfsKeep, type GfsKey } from './retention-gfs.js';

export type Retention =
  | { readonly kind: 'forever' }
  | { readonly kind: 'chains' | 'count' | 'days'; readonly n: number }
  | { readonly kind: 'gfs'; readonly keep: GfsKeep };

export const MAX_RETENTION_N = 10_000;
export const MAX_FAILED_POINTS = 10;
export const MAX_FAILED_AGE_DAYS = 30;
const DAY = 24 * 3_600_000;

const RETENTION_RE = /^(chains|count|days):([0-9]+)$/;
const GFS_RE = /^keep-([a-z]+):([0-9]+)$/;
const RETENTION_HELP =
  'forever, chains:N, count:N, days:N or keep-last/hourly/daily/weekly/monthly/yearly:N joined by commas';

/**
 * `keep-daily:7,keep-weekly:4,…` (retention-gfs.ts): each key at most once, N 1–10000, any order;
 * null when the text is not of that form at all.
 */
function parseGfs(text: string): Retention | null {
  if (!text.startsWith('keep-')) return null;
  const keep: Partial<Record<GfsKey, number>> = {};
  for (const part of text.split(',')) {
    const m = GFS_RE.exec(part.trim());
    const key = GFS_KEYS.find((k) => k === m?.[1]);
    const n = Number(m?.[2]);
    if (key === undefined || !Number.isSafeInteger(n) || n < 1 || n > MAX_RETENTION_N) {
      invalid(
        `retention part ${JSON.stringify(part)} must be keep-last, keep-hourly, keep-daily, keep-weekly, keep-monthly or keep-yearly :N with N from 1 to ${MAX_RETENTION_N}`,
      );
    }
    if (keep[key] !== undefined) invalid(`retention names keep-${key} twice in ${JSON.stringify(text)}`);
    keep[key] = n;
  }
  return { kind: 'gfs', keep };
}

/** `forever`, `chains:N`, `count:N` or `days:N` with N an integer 1–10000, or a GFS rule. */
export function parseRetention(text: string): Retention {
  if (text === 'forever') return { kind: 'forever' };
  const gfs = typeof text === 'string' ? parseGfs(text) : null;
  if (gfs !== null) return gfs;
  const m = typeof text === 'string' ? RETENTION_RE.exec(text) : null;
  const kind = m?.[1];
  const n = Number(m?.[2]);
  if (
    (kind !== 'chains' && kind !== 'count' && kind !== 'days') ||
    !Number.isSafeInteger(n) ||
    n < 1 ||
    n > MAX_RETENTION_N
  ) {
    throw new VirtpointError(
      'INVALID_ARGUMENT',
      `retention must be ${RETENTION_HELP}, N from 1 to ${MAX_RETENTION_N}; got ${JSON.stringify(text)}`,
    );
  }
  return { kind, n };
}

/** The canonical text (GFS keys in the order last, hourly, daily, weekly, monthly, yearly). */
export function formatRetention(r: Retention): string {
  if (r.kind === 'forever') return 'forever';
  if (r.kind === 'gfs') {
    return GFS_KEYS.filter((k) => r.keep[k] !== undefined)
      .map((k) => `keep-${k}:${r.keep[k]}`)
      .join(',');
  }
  return `${r.kind}:${r.n}`;
}

export type PointTrigger = 'manual' | 'schedule' | 'retention';

export interface RetentionPoint {
  readonly id: string;
  readonly chainId: string;
  readonly seq: number;
  readonly state: PointState;
  readonly trigger: PointTrigger;
  /** Epoch ms. */
  readonly createdAt: number;
}

export interface RetentionChain {
  readonly id: string;
  /** Epoch ms; orders chains (ties: id). */
  readonly createdAt: number;
}

export interface RetentionInput {
  readonly retention: Retention;
  /** The chains of one resource (domain + disk set). */
  readonly chains: readonly RetentionChain[];
  /** All points of those chains, any order. */
  readonly points: readonly RetentionPoint[];
  /** Epoch ms. */
  readonly now: number;
  /** Points that must not be deleted (e.g. the base of a linked image). */
  readonly protectedPointIds?: readonly string[];
  /** IANA zone of the GFS buckets (the host's); default UTC. */
  readonly timeZone?: string;
}

export type RetentionStep =
  | { readonly action: 'delete-chain'; readonly chainId: string; readonly pointIds: readonly string[] }
  | { readonly action: 'merge-point'; readonly pointId: string; readonly childPointId: string | null }
  | { readonly action: 'drop-full-keep-rest'; readonly pointId: string; readonly newFullPointId: string }
  | { readonly action: 'delete-point'; readonly pointId: string }
  | { readonly action: 'delete-failed-point'; readonly pointId: string };

export interface RetentionPlan {
  readonly steps: RetentionStep[];
  /** Ids of the points the steps remove, in step order. */
  readonly deletedPointIds: string[];
  /** Ids of the points that remain, by chain (oldest first) and seq. */
  readonly keptPointIds: string[];
  /** Chains left alone because a point of theirs is busy or delete-failed. */
  readonly deferred: { readonly chainId: string; readonly reason: string }[];
  /** Points the rule would delete but which are protected. */
  readonly held: string[];
}

const DEFER_STATES: ReadonlySet<PointState> = new Set(['creating', 'restoring', 'deleting', 'delete-failed']);

export function isAutomatic(p: Pick<RetentionPoint, 'trigger'>): boolean {
  return p.trigger === 'schedule';
}

interface Resource {
  readonly chains: RetentionChain[]; // oldest first
  readonly byChain: Map<string, RetentionPoint[]>; // seq order
  readonly rank: Map<string, number>; // point id → age rank (0 = oldest)
}

function invalid(message: string): never {
  throw new VirtpointError('INVALID_ARGUMENT', message);
}

function indexResource(input: RetentionInput): Resource {
  if (!Number.isFinite(input.now)) invalid('now is not a valid instant');
  const chains = [...input.chains].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  const byChain = new Map<string, RetentionPoint[]>();
  for (const c of chains) {
    if (byChain.has(c.id)) invalid(`chain ${c.id} is listed twice`);
    byChain.set(c.id, []);
  }
  const ids = new Set<string>();
  for (const p of input.points) {
    if (ids.has(p.id)) invalid(`point ${p.id} is listed twice`);
    ids.add(p.id);
    const list = byChain.get(p.chainId);
    if (list === undefined) invalid(`point ${p.id} belongs to unknown chain ${p.chainId}`);
    if (list.some((q) => q.seq === p.seq)) invalid(`chain ${p.chainId} has two points with seq ${p.seq}`);
    list.push(p);
  }
  for (const list of byChain.values()) list.sort((a, b) => a.seq - b.seq);
  const chainOrder = new Map(chains.map((c, i) => [c.id, i]));
  const ordered = [...input.points].sort(
    (a, b) =>
      a.createdAt - b.createdAt ||
      (chainOrder.get(a.chainId) ?? 0) - (chainOrder.get(b.chainId) ?? 0) ||
      a.seq - b.seq,
  );
  return { chains, byChain, rank: new Map(ordered.map((p, i) => [p.id, i])) };
}

/** The first usable (non-error) point of a chain, or undefined. */
function fullPoint(points: readonly RetentionPoint[]): RetentionPoint | undefined {
  return points.find((p) => p.state !== 'error');
}

/** Ids of the usable points the rule wants gone (before protection and deferral). */
function ruleDeletes(r: Retention, res: Resource, now: number, timeZone = 'UTC'): Set<string> {
  const out = new Set<string>();
  if (r.kind === 'forever') return out;
  const all = [...res.byChain.values()].flat();
  const candidates = all.filter((p) => isAutomatic(p) && p.state === 'available');
  if (r.kind === 'gfs') {
    const newestFirst = candidates.sort((a, b) => (res.rank.get(b.id) ?? 0) - (res.rank.get(a.id) ?? 0));
    const kept = gfsKeep(newestFirst, r.keep, timeZone);
    for (const p of candidates) if (!kept.has(p.id)) out.add(p.id);
  } else if (r.kind === 'count') {
    const newestFirst = candidates.sort((a, b) => (res.rank.get(b.id) ?? 0) - (res.rank.get(a.id) ?? 0));
    for (const p of newestFirst.slice(r.n)) out.add(p.id);
  } else if (r.kind === 'days') {
    for (const p of candidates) if (p.createdAt < now - r.n * DAY) out.add(p.id);
  } else {
    const auto = res.chains
      .filter((c) => (res.byChain.get(c.id) ?? []).some((p) => isAutomatic(p) && p.state !== 'error'))
      .map((c) => fullPoint(res.byChain.get(c.id) ?? []))
      .filter((f): f is RetentionPoint => f !== undefined)
      .sort((a, b) => (res.rank.get(b.id) ?? 0) - (res.rank.get(a.id) ?? 0));
    const drop = new Set(auto.slice(r.n).map((f) => f.chainId));
    for (const p of candidates) if (drop.has(p.chainId)) out.add(p.id);
  }
  return out;
}

/** Ids of the automatic error points over the failed-points limits. */
function failedDeletes(res: Resource, now: number): Set<string> {
  const failed = [...res.byChain.values()]
    .flat()
    .filter((p) => isAutomatic(p) && p.state === 'error')
    .sort((a, b) => (res.rank.get(b.id) ?? 0) - (res.rank.get(a.id) ?? 0));
  const out = new Set<string>();
  failed.forEach((p, i) => {
    if (i >= MAX_FAILED_POINTS || p.createdAt < now - MAX_FAILED_AGE_DAYS * DAY) out.add(p.id);
  });
  return out;
}

/** Steps for one chain, given the ids to delete in it. */
function chainSteps(chainId: string, points: readonly RetentionPoint[], gone: Set<string>): RetentionStep[] {
  if (points.length > 0 && points.every((p) => gone.has(p.id))) {
    return [{ action: 'delete-chain', chainId, pointIds: points.map((p) => p.id) }];
  }
  const steps: RetentionStep[] = [];
  const usable = points.filter((p) => p.state !== 'error');
  const remaining = [...usable];
  const full = usable[0];
  for (let i = usable.length - 1; i >= 1; i--) {
    const p = usable[i];
    if (p === undefined || !gone.has(p.id)) continue;
    const at = remaining.indexOf(p);
    steps.push({ action: 'merge-point', pointId: p.id, childPointId: remaining[at + 1]?.id ?? null });
    remaining.splice(at, 1);
  }
  if (full !== undefined && gone.has(full.id)) {
    const next = remaining[1];
    steps.push(
      next === undefined
        ? { action: 'delete-point', pointId: full.id }
        : { action: 'drop-full-keep-rest', pointId: full.id, newFullPointId: next.id },
    );
  }
  for (const p of points) {
    if (p.state === 'error' && gone.has(p.id)) steps.push({ action: 'delete-failed-point', pointId: p.id });
  }
  return steps;
}

function plan(input: RetentionInput, res: Resource, wanted: Set<string>): RetentionPlan {
  const protectedIds = new Set(input.protectedPointIds ?? []);
  const held = [...wanted].filter((id) => protectedIds.has(id));
  const steps: RetentionStep[] = [];
  const deferred: { chainId: string; reason: string }[] = [];
  const kept: string[] = [];
  for (const chain of res.chains) {
    const points = res.byChain.get(chain.id) ?? [];
    const gone = new Set(points.filter((p) => wanted.has(p.id) && !protectedIds.has(p.id)).map((p) => p.id));
    const busy = points.find((p) => DEFER_STATES.has(p.state));
    if (busy !== undefined && gone.size > 0) {
      deferred.push({ chainId: chain.id, reason: `point ${busy.id} is ${busy.state}` });
      gone.clear();
    }
    // The chain's automatic error points go with it when nothing else of it remains.
    const usableLeft = points.some((p) => p.state !== 'error' && !gone.has(p.id));
    if (!usableLeft && points.some((p) => p.state !== 'error')) {
      for (const p of points) if (p.state === 'error' && isAutomatic(p)) gone.add(p.id);
    }
    let chainPlan = chainSteps(chain.id, points, gone);
    const rewritten = chainPlan
      .map((s) =>
        s.action === 'merge-point'
          ? s.childPointId
          : s.action === 'drop-full-keep-rest'
            ? s.newFullPointId
            : null,
      )
      .find((id) => id !== null && protectedIds.has(id));
    if (rewritten !== undefined && rewritten !== null) {
      deferred.push({ chainId: chain.id, reason: `point ${rewritten} is protected and would be rewritten` });
      gone.clear();
      chainPlan = [];
    }
    steps.push(...chainPlan);
    for (const p of points) if (!gone.has(p.id)) kept.push(p.id);
  }
  const deletedPointIds = steps.flatMap((s) => (s.action === 'delete-chain' ? s.pointIds : [s.pointId]));
  return { steps, deletedPointIds, keptPointIds: kept, deferred, held };
}

/** The retention plan for one resource. Throws INVALID_ARGUMENT on inconsistent input. */
export function planRetention(input: RetentionInput): RetentionPlan {
  const res = indexResource(input);
  const wanted = ruleDeletes(input.retention, res, input.now, input.timeZone);
  for (const id of failedDeletes(res, input.now)) wanted.add(id);
  return plan(input, res, wanted);
}

/**
 * Before a scheduled backup starts a new (automatic) chain under `chains:N`: the oldest automatic
 * chains to delete first so that, with the new one, N remain. Only the automatic points of those
 * chains go (manual points in them stay, rebased into a synthetic full). Other rules: no steps.
 */
export function chainsToDropBeforeNewChain(input: RetentionInput): RetentionPlan {
  const res = indexResource(input);
  const r = input.retention;
  if (r.kind !== 'chains') return plan(input, res, new Set());
  return plan(input, res, ruleDeletes({ kind: 'chains', n: r.n - 1 }, res, input.now));
}
