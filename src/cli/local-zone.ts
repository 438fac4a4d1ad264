/**
 * Human times in the host's own zone without Intl: the wall clock from `Date`'s local getters and
 * the abbreviation from the TZif footer of /etc/localtime, as `date(1)` shows it. The first
 * `Intl.DateTimeFormat` of a process loads ICU's zone data (10–30 ms, a third of what
 * `virtpoint status` may take); this path costs well under 1 ms. Used only when TZ is not set and
 * times are shown in the host's zone; anything it cannot name goes to core/iso.ts humanInstant.
 */

import { readFileSync } from 'node:fs';

import { abbreviationAt, parseTzFooter, tzifFooter, type ZoneAbbreviations } from '../core/tz-footer.js';

export interface LocalZone {
  /** `2026-12-02 02:00 CET`, or null when the zone at that instant has no known abbreviation. */
  format(ms: number): string | null;
}

const two = (n: number) => String(n).padStart(2, '0');

export function localZoneOf(zone: ZoneAbbreviations): LocalZone {
  return {
    format(ms) {
      const d = new Date(ms);
      const abbr = abbreviationAt(zone, d.getTimezoneOffset());
      if (abbr === null) return null;
      const date = `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
      return `${date} ${two(d.getHours())}:${two(d.getMinutes())} ${abbr}`;
    },
  };
}

/** The host's zone from `/etc/localtime`, or null (no file, no footer, a name Intl must give). */
export function hostLocalZone(path = '/etc/localtime'): LocalZone | null {
  if ((process.env['TZ'] ?? '') !== '') return null; // Date's getters follow TZ, not the file
  let file: Uint8Array;
  try {
    file = readFileSync(path);
  } catch {
    return null;
  }
  const footer = tzifFooter(file);
  const zone = footer === null ? null : parseTzFooter(footer);
  return zone === null ? null : localZoneOf(zone);
}
