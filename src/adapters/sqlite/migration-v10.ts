/**
 * Migration 10 (mount and domain create, issue 15).
 *
 * mounts  what the daemon must know to undo a mount or an NBD export after a kill -9, with
 *         nothing but this row (service/mount/cleanup.ts; never by name patterns):
 *         id PK, point_id (no foreign key: the point cannot be deleted while the row exists,
 *         POINT_IN_USE), disk (target), kind mount|nbd, state mounting|active|unmounting
 *         (a row left `mounting`/`unmounting` by a crash is undone like an active one),
 *         partition (number mounted; null for nbd), fs_type ext4|xfs|null, work_dir (the
 *         daemon's own directory for this mount under <state_dir>/mounts), fuse_file (the raw
 *         export; null for nbd), socket (nbd only), qsd_pid + qsd_start_time (the
 *         qemu-storage-daemon: its PID and its start time in clock ticks after boot, field 22
 *         of /proc/PID/stat, so a reused PID is never killed), loop_device (/dev/loopN; null
 *         until attached), dir (the mount directory, unique; null for nbd), created_at,
 *         last_used_at.
 * jobs    rebuilt: type CHECK is JOB_TYPES_V10 (V6's plus `mount` and `create-domain`).
 */

const list = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

/** The job types of version 10 (a later migration extends this list, never edits it). */
export const JOB_TYPES_V10: readonly string[] = [
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
const JOB_STATES = list(['queued', 'running', 'succeeded', 'failed', 'canceled']);
const TRIGGERS = list(['manual', 'schedule', 'retention']);
const JOB_COLUMNS = `id, type, state, trigger, domain_uuid, point_id, progress_done, progress_total,
  error_code, error_message, result, created_at, started_at, ended_at`;

export const V10 = `
CREATE TABLE mounts (
  id             TEXT PRIMARY KEY,
  point_id       TEXT NOT NULL,
  disk           TEXT NOT NULL,
  kind           TEXT NOT NULL CHECK (kind IN ('mount', 'nbd')),
  state          TEXT NOT NULL CHECK (state IN ('mounting', 'active', 'unmounting')),
  partition      INTEGER CHECK (partition >= 0),
  fs_type        TEXT CHECK (fs_type IN ('ext4', 'xfs')),
  work_dir       TEXT NOT NULL UNIQUE,
  fuse_file      TEXT,
  socket         TEXT UNIQUE,
  qsd_pid        INTEGER CHECK (qsd_pid > 0),
  qsd_start_time INTEGER CHECK (qsd_start_time >= 0),
  loop_device    TEXT,
  dir            TEXT UNIQUE,
  created_at     INTEGER NOT NULL,
  last_used_at   INTEGER NOT NULL,
  CHECK ((kind = 'mount') = (dir IS NOT NULL)),
  CHECK ((kind = 'nbd') = (socket IS NOT NULL)),
  CHECK ((qsd_pid IS NULL) = (qsd_start_time IS NULL))
) STRICT;
CREATE INDEX mounts_by_point ON mounts(point_id);

CREATE TABLE jobs_v10 (
  id             TEXT PRIMARY KEY,
  type           TEXT NOT NULL CHECK (type IN (${list(JOB_TYPES_V10)})),
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
INSERT INTO jobs_v10 (${JOB_COLUMNS}) SELECT ${JOB_COLUMNS} FROM jobs ORDER BY rowid;
DROP TABLE jobs;
ALTER TABLE jobs_v10 RENAME TO jobs;
CREATE INDEX jobs_by_created ON jobs(created_at);
CREATE INDEX jobs_by_state ON jobs(state, created_at);
CREATE INDEX jobs_by_domain ON jobs(domain_uuid, created_at);
`;
