/**
 * Grandfather-father-son retention (`keep-last:N,keep-daily:N,keep-weekly:N,keep-monthly:N,
 * keep-yearly:N`), as restic `forget` and Proxmox Backup Server's prune define it:
 *
 * - Each rule is applied on its own to the candidates (automatic `available` points), newest
 *   first: a point is kept when its **bucket** (local day, ISO week, month or year) differs from
 *   the bucket of the previous (newer) candidate, until the rule has kept N buckets. So per
 *   bucket the newest point is kept. `keep-last:N` keeps the N newest points.
 * - The points kept are the union over the rules; the other candidates are deleted.
 * - Buckets are in `timeZone` (the host's local time): a point at 23:30 local on Sunday belongs to
 *   that Sunday and its week even when it is Monday in UTC. Weeks are ISO weeks (Monday to Sunday,
 *   the week-year of the Thursday). A day of a DST change is one bucket (23 or 25 hours).
 * - As in restic (PBS differs here: a later rule there skips the periods an earlier one already
 *   covered), the rules are independent, so the result does not depend on their order.
 *
 * Restorability is the chain-aware planner's job (retention.ts): a kept incremental whose
 * parent goes gets that parent merged into it, a full that goes leaves a synthetic full.
 */

import { localDateTime } from './schedule.js';

export const GFS_KEYS = ['last', 'hourly', 'daily', 'weekly', 'monthly', 'yearly'] as const;
export type GfsKey = (typeof GFS_KEYS)[number];

/** How many buckets each rule keeps; an absent key is not used. */
export type GfsKeep = Readonly<Partial<Record<GfsKey, number>>>;

export interface GfsCandidate {
  readonly id: string;
  /** Epoch ms. */
  readonly createdAt: number;
}

/** `YYYY-MM-DD` of the local date; the ISO week `YYYY-Www`; `YYYY-MM`; `YYYY`. */
export function gfsBucket(key: Exclude<GfsKey, 'last'>, ms: number, timeZone: string): string {
  const l = localDateTime(ms, timeZone);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  switch (key) {
    case 'hourly':
      return `${l.year}-${pad(l.month)}-${pad(l.day)}T${pad(l.hour)}`;
    case 'daily':
      return `${l.year}-${pad(l.month)}-${pad(l.day)}`;
    case 'weekly': {
      const { year, week } = isoWeek(l.year, l.month, l.day);
      return `${year}-W${pad(week)}`;
    }
    case 'monthly':
      return `${l.year}-${pad(l.month)}`;
    case 'yearly':
      return String(l.year);
  }
}

/** ISO 8601 week of a calendar date: weeks start on Monday; week 1 holds the year's first Thursday. */
export function isoWeek(year: number, month: number, day: number): { year: number; week: number } {
  const d = new Date(Date.UTC(year, month - 1, day));
  const dow = (d.getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  d.setUTCDate(d.getUTCDate() - dow + 3); // the Thursday of this week
  const weekYear = d.getUTCFullYear();
  const jan4 = new Date(Date.UTC(weekYear, 0, 4));
  const jan4Dow = (jan4.getUTCDay() + 6) % 7;
  const week1Thursday = Date.UTC(weekYear, 0, 4 - jan4Dow + 3);
  return { year: weekYear, week: 1 + Math.round((d.getTime() - week1Thursday) / (7 * 86_400_000)) };
}

/**
 * Ids of the candidates the rules keep. `newestFirst` must be ordered newest first (ties already
 * broken by the caller, so the result is deterministic).
 */
export function gfsKeep(newestFirst: readonly GfsCandidate[], keep: GfsKeep, timeZone: string): Set<string> {
  const out = new Set<string>();
  for (const key of GFS_KEYS) {
    const n = keep[key];
    if (n === undefined || n <= 0) continue;
    if (key === 'last') {
      for (const p of newestFirst.slice(0, n)) out.add(p.id);
      continue;
    }
    let buckets = 0;
    let previous: string | undefined;
    for (const p of newestFirst) {
      if (buckets >= n) break;
      const b = gfsBucket(key, p.createdAt, timeZone);
      if (b === previous) continue;
      previous = b;
      buckets++;
      out.add(p.id);
    }
  }
  return out;
}
