/** ISO 8601 UTC (`2025-01-01T00:00:00.000Z`) of ms since the epoch: how every time goes on the wire. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** `iso`, with null kept. */
export function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : iso(ms);
}
