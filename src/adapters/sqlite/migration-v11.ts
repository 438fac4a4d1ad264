/**
 * Migration 11 (off-host copies, issue 14).
 *
 * targets        id PK, name (unique), kind s3|ssh, config (JSON without secrets: s3 endpoint,
 *                bucket, prefix, region, access key id; ssh user, host, port, path), encrypted
 *                (0|1) + key_id (a fingerprint of the encryption key, never the key), bwlimit
 *                (bytes/s or null), retention (forever|chains:N|days:N), created_at. The secrets
 *                (S3 secret key, SSH identity, encryption key) and the pinned known_hosts are
 *                0600 copies under <state_dir>/targets/<id>/ that the daemon made at `target
 *                add`: the catalog holds no secret and no path into the operator's files.
 * copies         one row per point × target: state copying|copied|failed, at (last change),
 *                bytes (uploaded so far), job_id, error_code/error_message (failed only).
 *                Cascades with the point and with the target row; the remote objects are
 *                never deleted by either (remote retention decides those).
 * uploads        an upload in flight, for resume after a kill -9: target × key (the remote
 *                object name), point_id, file (the local file), size and part_size, upload_id
 *                (S3 multipart id; null over SSH), created_at/updated_at.
 * upload_parts   the parts of an upload that completed: part_number, size, etag (S3; null over
 *                SSH) and checksum (Content-MD5 base64 on S3, sha256 hex of what the remote
 *                wrote over SSH). Cascade with their upload.
 * jobs           rebuilt: type CHECK is JOB_TYPES_V10 plus `copy` and `remote-restore`.
 *
 * JOB_TYPES_V10 is migration 10's list (mount branch, migration-v10.ts: V6's plus `mount` and
 * `create-domain`), copied here as a literal: a released migration never changes.
 */

const list = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

/** Migration 10's job types, as a literal (see above). */
const JOB_TYPES_V10: readonly string[] = [
  'backup',
  'rollback',
  'delete',
  'cleanup',
  'create-volume',
  'create-image',
  'verify',
  'mount',
  'create-domain',
];
/** The job types of version 11 (a later migration extends this list, never edits it). */
export const JOB_TYPES_V11: readonly string[] = [...JOB_TYPES_V10, 'copy', 'remote-restore'];
const JOB_STATES = list(['queued', 'running', 'succeeded', 'failed', 'canceled']);
const TRIGGERS = list(['manual', 'schedule', 'retention']);
const JOB_COLUMNS = `id, type, state, trigger, domain_uuid, point_id, progress_done, progress_total,
  error_code, error_message, result, created_at, started_at, ended_at`;

export const V11 = `
CREATE TABLE targets (
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE,
  kind       TEXT NOT NULL CHECK (kind IN ('s3', 'ssh')),
  config     TEXT NOT NULL CHECK (json_valid(config)),
  encrypted  INTEGER NOT NULL CHECK (encrypted IN (0, 1)),
  key_id     TEXT,
  bwlimit    INTEGER CHECK (bwlimit > 0),
  retention  TEXT NOT NULL DEFAULT 'forever',
  created_at INTEGER NOT NULL,
  CHECK ((encrypted = 1) = (key_id IS NOT NULL))
) STRICT;

CREATE TABLE copies (
  point_id      TEXT NOT NULL REFERENCES points(id) ON DELETE CASCADE,
  target_id     TEXT NOT NULL REFERENCES targets(id) ON DELETE CASCADE,
  state         TEXT NOT NULL CHECK (state IN ('copying', 'copied', 'failed')),
  at            INTEGER NOT NULL,
  bytes         INTEGER NOT NULL DEFAULT 0 CHECK (bytes >= 0),
  job_id        TEXT,
  error_code    TEXT,
  error_message TEXT,
  PRIMARY KEY (point_id, target_id),
  CHECK ((state = 'failed') = (error_code IS NOT NULL))
) STRICT;
CREATE INDEX copies_by_target ON copies(target_id, state);

CREATE TABLE uploads (
  target_id  TEXT NOT NULL REFERENCES targets(id) ON DELETE CASCADE,
  key        TEXT NOT NULL,
  point_id   TEXT NOT NULL,
  file       TEXT NOT NULL,
  size       INTEGER NOT NULL CHECK (size >= 0),
  part_size  INTEGER NOT NULL CHECK (part_size > 0),
  upload_id  TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (target_id, key)
) STRICT;

CREATE TABLE upload_parts (
  target_id   TEXT NOT NULL,
  key         TEXT NOT NULL,
  part_number INTEGER NOT NULL CHECK (part_number >= 1),
  size        INTEGER NOT NULL CHECK (size >= 0),
  etag        TEXT,
  checksum    TEXT NOT NULL,
  PRIMARY KEY (target_id, key, part_number),
  FOREIGN KEY (target_id, key) REFERENCES uploads(target_id, key) ON DELETE CASCADE
) STRICT;

CREATE TABLE jobs_v11 (
  id             TEXT PRIMARY KEY,
  type           TEXT NOT NULL CHECK (type IN (${list(JOB_TYPES_V11)})),
  state          TEXT NOT NULL CHECK (state IN (${JOB_STATES})),
  trigger        TEXT NOT NULL CHECK (trigger IN (${TRIGGERS})),
  domain_uuid    TEXT REFERENCES domains(uuid),
  point_id       TEXT,
  progress_done  INTEGER NOT NULL DEFAULT 0 CHECK (progress_done >= 0),
  progress_total INTEGER CHECK (progress_total >= 0),
  error_code     TEXT,
  error_message  TEXT,
  result         TEXT,
  created_at     INTEGER NOT NULL,
  started_at     INTEGER,
  ended_at       INTEGER
) STRICT;
INSERT INTO jobs_v11 (${JOB_COLUMNS}) SELECT ${JOB_COLUMNS} FROM jobs ORDER BY rowid;
DROP TABLE jobs;
ALTER TABLE jobs_v11 RENAME TO jobs;
CREATE INDEX jobs_by_created ON jobs(created_at);
CREATE INDEX jobs_by_state ON jobs(state, created_at);
CREATE INDEX jobs_by_domain ON jobs(domain_uuid, created_at);
`;
