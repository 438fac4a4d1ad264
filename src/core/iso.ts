/** ISO 8601 UTC (`2025-01-01T00:00:00.000Z`) of ms since the epoch: how every time goes on the wire. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** `iso`, with null kept. */
export function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : iso(ms);
}

const humanFormats = new Map<string, { wall: Intl.DateTimeFormat; zone: Intl.DateTimeFormat[] }>();

function humanFormat(timeZone: string): { wall: Intl.DateTimeFormat; zone: Intl.DateTimeFormat[] } {
  let f = humanFormats.get(timeZone);
  if (f === undefined) {
    const wall = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    // en-GB knows the European abbreviations (CET, BST), en-US the American ones (EST, PST);
    // elsewhere both give the offset (GMT+8).
    const zone = ['en-GB', 'en-US'].map(
      (loc) => new Intl.DateTimeFormat(loc, { timeZone, timeZoneName: 'short' }),
    );
    f = { wall, zone };
    humanFormats.set(timeZone, f);
  }
  return f;
}

/** Whether `timeZone` is an IANA zone this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/**
 * How a person reads an instant: the wall clock of `timeZone` to the minute with the zone shown
 * (`2026-12-02 02:00 CET`, `2026-12-02 01:00 UTC`, `2026-12-02 09:00 GMT+8`). The only format of
 * times in human output (cli/output.ts `humanTime`); JSON keeps `iso`.
 */
export function humanInstant(ms: number, timeZone: string): string {
  const f = humanFormat(timeZone);
  const v: Record<string, string> = {};
  for (const p of f.wall.formatToParts(ms)) v[p.type] = p.value;
  let zone = '';
  for (const z of f.zone) {
    zone = z.formatToParts(ms).find((p) => p.type === 'timeZoneName')?.value ?? '';
    if (!/^GMT[+-]/.test(zone)) break;
  }
  if (zone === 'GMT' && timeZone.toUpperCase().includes('UTC')) zone = 'UTC';
  return `${v.year}-${v.month}-${v.day} ${v.hour}:${v.minute} ${zone}`;
}
