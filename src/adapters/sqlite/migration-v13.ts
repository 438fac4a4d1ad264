/**
 * Migration 13 (copy job, issue 14).
 *
 * settings  key → value (TEXT) for facts the daemon keeps about itself. `host_id`: this host's
 *           id in the remote layout (`<prefix>/<host-id>/...`, docs/copies.md), generated once
 *           (core/names isValidId format) the first time it is asked for.
 */

export const V13 = `
CREATE TABLE settings (
  key    TEXT PRIMARY KEY,
  value  TEXT NOT NULL
);
`;
