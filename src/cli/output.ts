/**
 * Human output (aligned tables, key/value blocks, sizes in binary units) and `--json` output
 * (the API objects exactly as the daemon sent them).
 */

import { AsyncLocalStorage } from 'node:async_hooks';

import { humanInstant, isTimeZone } from '../core/iso.js';
import type { TextSink } from './context.js';
import { hostLocalZone, type LocalZone } from './local-zone.js';

export interface TimeZones {
  /** The zone human times are shown in (UTC with `--utc`). */
  readonly display: string;
  /** The host's zone, in which policies' times of day are read. */
  readonly host: string;
  /** Human times in the host's zone without Intl (cli/local-zone.ts); null: through Intl. */
  readonly local?: LocalZone | null;
}

/** The zones of the running command (`runCli` sets them per run from `--utc` and TZ). */
const zones = new AsyncLocalStorage<TimeZones>();

/** Runs `fn` with human times shown in `z.display`. */
export function withTimeZones<T>(z: TimeZones, fn: () => T): T {
  return zones.run(z, fn);
}

/** The host's zone: `TZ` when it names a zone, else the runtime's. */
function hostZone(env: Readonly<Record<string, string | undefined>>): string {
  const tz = env['TZ']?.replace(/^:/, '');
  if (tz !== undefined && tz !== '' && isTimeZone(tz)) return tz;
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/**
 * The zones of a run, resolved only when read: the zone name needs Intl (ICU's zone data, 10–30
 * ms), which most commands never need; human times in the host's own zone take the local path.
 */
export function timeZonesOf(
  utc: boolean,
  env: Readonly<Record<string, string | undefined>>,
  local: () => LocalZone | null = hostLocalZone,
): TimeZones {
  let host: string | undefined;
  const hostOf = () => (host ??= hostZone(env));
  const tzSet = env['TZ'] !== undefined && env['TZ'] !== '';
  const fast = utc || tzSet ? null : local();
  return {
    get display() {
      return utc ? 'UTC' : hostOf();
    },
    get host() {
      return hostOf();
    },
    local: fast,
  };
}

/** The host's zone of the running command (`Europe/Berlin`). */
export function hostTimeZone(): string {
  return zones.getStore()?.host ?? hostZone({});
}

export interface Column<T> {
  readonly header: string;
  readonly value: (row: T) => string;
  readonly align?: 'left' | 'right';
}

/** Rows under a header, columns separated by two spaces, no trailing blanks. */
export function table<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = [columns.map((c) => c.header), ...rows.map((r) => columns.map((c) => c.value(r)))];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => width(line[i] ?? ''))));
  const lines = cells.map((line) =>
    line
      .map((cell, i) => {
        const pad = ' '.repeat((widths[i] ?? 0) - width(cell));
        return columns[i]?.align === 'right' ? pad + cell : cell + pad;
      })
      .join('  ')
      .trimEnd(),
  );
  return lines.join('\n') + '\n';
}

/** `key  value` lines with the values aligned. */
export function keyValues(pairs: readonly (readonly [string, string])[]): string {
  const w = Math.max(0, ...pairs.map(([k]) => width(k)));
  return pairs.map(([k, v]) => `${k}${' '.repeat(w - width(k))}  ${v}`.trimEnd()).join('\n') + '\n';
}

/** Display width: code points, not UTF-16 units (names may be in any script). */
function width(s: string): number {
  return [...s].length;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** 1536 → `1.5 KiB`; null → `-`. */
export function humanSize(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '-';
  let v = Math.abs(bytes);
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  const sign = bytes < 0 ? '-' : '';
  if (u === 0) return `${sign}${v} B`;
  return `${sign}${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${UNITS[u]}`;
}

/** Seconds → `45s`, `3m05s`, `2h07m`. */
export function humanDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '-';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * ISO 8601 → `2026-12-02 02:00 CET`: local time of the command's zone (`withTimeZone`) with the
 * zone shown, `--utc` → `2026-12-02 01:00 UTC`; null → `-`. Every human time goes through here.
 */
export function humanTime(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return '-';
  const ms = new Date(iso).getTime();
  if (Number.isNaN(ms)) return iso;
  const z = zones.getStore();
  return z?.local?.format(ms) ?? humanInstant(ms, z?.display ?? hostZone({}));
}

/** The date part of `humanTime` (`2026-12-02`). */
export function humanDate(iso: string | null | undefined): string {
  return humanTime(iso).slice(0, 10);
}

export function orDash(v: string | number | null | undefined): string {
  return v === null || v === undefined || v === '' ? '-' : String(v);
}

/** `--json`: the value as the API sent it, indented, one trailing newline. */
export function printJson(out: TextSink, value: unknown): void {
  out.write(JSON.stringify(value, null, 2) + '\n');
}

/** A list for people: the table, or when empty the same kind of line everywhere: `no THINGS (HINT)`. */
export function tableOrHint<T>(rows: readonly T[], columns: readonly Column<T>[], none: string): string {
  return rows.length === 0 ? `${none}\n` : table(rows, columns);
}
