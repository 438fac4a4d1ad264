/**
 * Migration 8 (verify, issue 13): what a point's files must be, and what the last check found.
 *
 * points       + state `corrupt` (a verify found its files, or an ancestor's, broken: terminal
 *              but deletable), verify_state never|ok|failed, verified_at, verify_detail (the
 *              last verify's per-file findings, JSON text; null until verified).
 * point_disks  + file_size, sha256 (the file's length in bytes and the hex sha256 of its bytes
 *              when it was written or last rewritten; both null for points made before version 8
 *              and until the point is complete). `size` stays the allocated bytes (usage).
 *
 * points is referenced by point_disks: rebuilt with foreign keys off (see migrate()).
 */

const list = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

const POINT_STATES_V8 = list([
  'creating',
  'available',
  'restoring',
  'deleting',
  'error',
  'delete-failed',
  'corrupt',
]);
const TRIGGERS = list(['manual', 'schedule', 'retention']);
const POINT_COLUMNS = `id, name, domain_uuid, chain_id, seq, kind, state, consistency, consistency_reason,
  freeze_ms, new_chain_reason, trigger, created_at, updated_at, error_code, error_message`;

export const V8 = `
CREATE TABLE points_v8 (
  id                 TEXT PRIMARY KEY,
  name               TEXT NOT NULL,
  domain_uuid        TEXT NOT NULL REFERENCES domains(uuid),
  chain_id           TEXT NOT NULL REFERENCES chains(id) ON DELETE CASCADE,
  seq                INTEGER NOT NULL CHECK (seq >= 0),
  kind               TEXT NOT NULL CHECK (kind IN ('full', 'incremental')),
  state              TEXT NOT NULL CHECK (state IN (${POINT_STATES_V8})),
  consistency        TEXT CHECK (consistency IN ('filesystem', 'crash', 'offline')),
  consistency_reason TEXT,
  freeze_ms          INTEGER CHECK (freeze_ms >= 0),
  new_chain_reason   TEXT,
  trigger            TEXT NOT NULL CHECK (trigger IN (${TRIGGERS})),
  created_at         INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL,
  error_code         TEXT,
  error_message      TEXT,
  verify_state       TEXT NOT NULL DEFAULT 'never' CHECK (verify_state IN ('never', 'ok', 'failed')),
  verified_at        INTEGER,
  verify_detail      TEXT,
  UNIQUE (chain_id, seq),
  UNIQUE (domain_uuid, name),
  CHECK (kind = 'full' OR seq > 0),
  CHECK ((verify_state = 'never') = (verified_at IS NULL))
) STRICT;
INSERT INTO points_v8 (${POINT_COLUMNS}) SELECT ${POINT_COLUMNS} FROM points ORDER BY rowid;
DROP TABLE points;
ALTER TABLE points_v8 RENAME TO points;
CREATE INDEX points_by_domain ON points(domain_uuid, created_at);
CREATE INDEX points_by_state ON points(state);
CREATE INDEX points_list_order ON points(created_at, seq);
ALTER TABLE point_disks ADD COLUMN file_size INTEGER CHECK (file_size >= 0);
ALTER TABLE point_disks ADD COLUMN sha256 TEXT
  CHECK (sha256 IS NULL OR (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*'));
`;
