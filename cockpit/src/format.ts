/** Display formats: bytes, ages, times (the API gives bytes and ISO 8601 UTC). */

import { humanInstant } from '../../src/core/iso.js';

export function bytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

export function age(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '–';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

/**
 * A time as the CLI shows it (`2026-12-02 02:00 CET`, core/iso.ts humanInstant), in the zone
 * of the browser the operator reads the page in (`timeZone` for the tests).
 */
export function time(iso: string | null | undefined, timeZone?: string): string {
  if (!iso) return '–';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return humanInstant(ms, timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone);
}

/** Comma or space separated list → array (empty entries dropped); the API checks the items. */
export function list(v: string): string[] {
  return v
    .split(/[\s,]+/)
    .map((x) => x.trim())
    .filter((x) => x !== '');
}
