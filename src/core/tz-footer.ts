/**
 * The zone abbreviations of a POSIX TZ string, the footer of a TZif v2+ file (`/etc/localtime`
 * ends with one: `CET-1CEST,M3.5.0,M10.5.0/3`, `UTC0`, `EST5EDT,M3.2.0,M11.1.0`): what `date(1)`
 * prints as the zone. Offsets are in the sign of `Date.getTimezoneOffset` (minutes west of UTC:
 * CET is -60). Only plain alphabetic names are returned (quoted ones such as `<+08>-8` give null:
 * the caller then asks Intl, which names those `GMT+8`).
 */

export interface ZoneAbbreviations {
  readonly std: string;
  readonly stdOffsetMin: number;
  /** Null when the zone has no daylight saving time. */
  readonly dst: string | null;
  readonly dstOffsetMin: number | null;
}

const SPEC =
  /^([A-Za-z]{3,})([+-]?\d{1,2}(?::\d{2}){0,2})(?:([A-Za-z]{3,})([+-]?\d{1,2}(?::\d{2}){0,2})?(?:,.*)?)?$/;

function offsetMinutes(text: string): number {
  const sign = text.startsWith('-') ? -1 : 1;
  const [h = 0, m = 0] = text.replace(/^[+-]/, '').split(':').map(Number);
  return sign * (h * 60 + m);
}

export function parseTzFooter(footer: string): ZoneAbbreviations | null {
  const m = SPEC.exec(footer.trim());
  if (m === null) return null;
  const [, std, stdOff, dst, dstOff] = m as unknown as [string, string, string, string?, string?];
  const stdOffsetMin = offsetMinutes(stdOff);
  if (dst === undefined) return { std, stdOffsetMin, dst: null, dstOffsetMin: null };
  // POSIX: a DST name without an offset is one hour ahead of standard time
  return {
    std,
    stdOffsetMin,
    dst,
    dstOffsetMin: dstOff === undefined ? stdOffsetMin - 60 : offsetMinutes(dstOff),
  };
}

/** The abbreviation in force at an instant whose local offset is `offsetMin`; null when neither matches. */
export function abbreviationAt(zone: ZoneAbbreviations, offsetMin: number): string | null {
  if (offsetMin === zone.stdOffsetMin) return zone.std;
  if (zone.dst !== null && offsetMin === zone.dstOffsetMin) return zone.dst;
  return null;
}

/** The footer of a TZif v2+ file (the text between its last two newlines), or null. */
export function tzifFooter(file: Uint8Array): string | null {
  if (file.length < 6 || String.fromCharCode(...file.subarray(0, 4)) !== 'TZif' || file[4]! < 0x32)
    return null;
  if (file[file.length - 1] !== 0x0a) return null;
  const start = file.lastIndexOf(0x0a, file.length - 2);
  if (start < 0) return null;
  return new TextDecoder().decode(file.subarray(start + 1, file.length - 1));
}
