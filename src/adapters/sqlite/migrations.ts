/**
 * Catalog schema and its migrations. `PRAGMA user_version` holds the number of migrations
 * applied; `migrate` applies the missing ones in order, each in its own transaction together with
 * the new user_version, so a failed migration leaves the database at the previous version.
 * Never edit a released migration: append a new one (and a test that migrates a database with
 * data from the previous version).
 *
 * Schema (version 1). Times are ms since the epoch, sizes bytes, ids 12 hex chars (core/names).
 *
 * domains      uuid PK, name (last known, display only), first_seen_at, last_seen_at.
 * chains       id PK, domain_uuid → domains, disk_set (canonical key: sorted targets joined by
 *              ","), max_length 1–30, state open|sealed, seal_reason (null iff open),
 *              created_at, sealed_at. At most one open chain per (domain_uuid, disk_set)
 *              (partial unique index chains_one_open).
 * points       id PK, name (unique per domain), domain_uuid → domains, chain_id → chains
 *              (cascade delete), seq ≥ 0 (unique per chain, never reused; kind full iff seq 0),
 *              kind, state (core/point-state), consistency filesystem|crash|offline|null,
 *              consistency_reason, freeze_ms, new_chain_reason (full points), trigger
 *              manual|schedule|retention, created_at, updated_at, error_code, error_message.
 * point_disks  (point_id → points cascade, target) PK, path (relative to the store, unique),
 *              virtual_size, size (allocated; null until known), format qcow2|raw, checkpoint.
 * jobs         id PK, type, state, trigger, domain_uuid → domains (nullable), point_id (no
 *              foreign key: a delete job keeps the id of the point it removed), progress_done,
 *              progress_total, error_code, error_message, result (JSON text), created_at,
 *              started_at, ended_at.
 *
 * Version 2 (restore side: create-volume, create-image).
 *
 * volumes      id PK, name, point_id (no foreign key: a volume is independent of the chain and
 *              keeps the id of the point it came from after that point is deleted), disk
 *              (target), location_kind pool|dir, location (pool name or directory), path
 *              (absolute, unique), format qcow2|raw, created_at.
 * images       name PK (also the file name in the image directory), point_id (no foreign key;
 *              a linked image's point cannot be deleted while it exists, see
 *              Catalog.pointProtections), disk, path (absolute, unique), linked 0|1, created_at.
 *
 * Version 3: scheduling (sqlite-scheduling.ts).
 *
 * Version 4 (synthetic full points, retention): points' `CHECK ((kind = 'full') = (seq = 0))`
 * becomes `CHECK (kind = 'full' OR seq > 0)`: a chain's full point may have seq > 0 once its
 * original full point was dropped and the next point was rebased onto nothing
 * (Catalog.makeSyntheticFull). New points are still full iff seq 0 (checked by createPoint).
 * SQLite cannot change a CHECK in place: points and point_disks are rebuilt and renamed.
 *
 * Version 5: index points_list_order (keyset paging).
 *
 * Version 6: job type `restore` is renamed `rollback`: jobs is rebuilt with the new CHECK and
 * every stored `restore` job becomes a `rollback` job.
 *
 * Version 7: chain owners and states pending|open|sealed|failed, run outcome
 * succeeded-with-warnings (migration-v7.ts).
 *
 * Version 8: point state corrupt, verify state, sha256 per point file (migration-v8.ts).
 *
 * Version 9: tasks.verify_after (0|1): each new point of the task is verified right after its
 * backup (issue 13).
 *
 * Version 10: mounts, job types mount and create-domain (migration-v10.ts).
 * Version 11: targets, copies, upload state; job types copy, remote-restore (migration-v11.ts).
 * Version 12: volume_resources. 13: settings. 14: task_targets, copies.attempts/retry_at, uploads.enc.
 */

import type { Database } from 'better-sqlite3';

import { VirtpointError } from '../../core/errors.js';
import { V7 } from './migration-v7.js';
import { V8 } from './migration-v8.js';
import { V10 } from './migration-v10.js';
import { V11 } from './migration-v11.js';
import { V12 } from './migration-v12.js';
import { V13 } from './migration-v13.js';
import { V14 } from './migration-v14.js';
import { SCHEDULING_SCHEMA } from './sqlite-scheduling.js';

export interface Migration {
  /** 1-based; migration N takes the database from user_version N-1 to N. */
  readonly version: number;
  readonly name: string;
  readonly up: (db: Database) => void;
  /**
   * The migration rebuilds a table other tables reference (DROP TABLE would cascade): run it
   * with foreign keys off, check them before committing, turn them back on.
   */
  readonly foreignKeysOff?: boolean;
}

const list = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

const POINT_STATES = list(['creating', 'available', 'restoring', 'deleting', 'error', 'delete-failed']);
const TRIGGERS = list(['manual', 'schedule', 'retention']);
/** The job types of versions 1–5 (a released migration never changes). */
const JOB_TYPES_V1 = list([
  'backup',
  'restore',
  'delete',
  'cleanup',
  'create-volume',
  'create-image',
  'verify',
]);
/** Version 6: the rollback job is `rollback` (the CLI, the API and the service all say rollback). */
const JOB_TYPES_V6 = list([
  'backup',
  'rollback',
  'delete',
  'cleanup',
  'create-volume',
  'create-image',
  'verify',
]);
const JOB_STATES = list(['queued', 'running', 'succeeded', 'failed', 'canceled']);

const V1 = `
CREATE TABLE domains (
  uuid          TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  first_seen_at INTEGER NOT NULL,
  last_seen_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE chains (
  id          TEXT PRIMARY KEY,
  domain_uuid TEXT NOT NULL REFERENCES domains(uuid),
  disk_set    TEXT NOT NULL,
  max_length  INTEGER NOT NULL CHECK (max_length BETWEEN 1 AND 30),
  state       TEXT NOT NULL CHECK (state IN ('open', 'sealed')),
  seal_reason TEXT,
  created_at  INTEGER NOT NULL,
  sealed_at   INTEGER,
  CHECK ((state = 'open') = (seal_reason IS NULL))
) STRICT;
CREATE UNIQUE INDEX chains_one_open ON chains(domain_uuid, disk_set) WHERE state = 'open';
CREATE INDEX chains_by_domain ON chains(domain_uuid, disk_set, created_at);

CREATE TABLE points (
  id                 TEXT PRIMARY KEY,
  name               TEXT NOT NULL,
  domain_uuid        TEXT NOT NULL REFERENCES domains(uuid),
  chain_id           TEXT NOT NULL REFERENCES chains(id) ON DELETE CASCADE,
  seq                INTEGER NOT NULL CHECK (seq >= 0),
  kind               TEXT NOT NULL CHECK (kind IN ('full', 'incremental')),
  state              TEXT NOT NULL CHECK (state IN (${POINT_STATES})),
  consistency        TEXT CHECK (consistency IN ('filesystem', 'crash', 'offline')),
  consistency_reason TEXT,
  freeze_ms          INTEGER CHECK (freeze_ms >= 0),
  new_chain_reason   TEXT,
  trigger            TEXT NOT NULL CHECK (trigger IN (${TRIGGERS})),
  created_at         INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL,
  error_code         TEXT,
  error_message      TEXT,
  UNIQUE (chain_id, seq),
  UNIQUE (domain_uuid, name),
  CHECK ((kind = 'full') = (seq = 0))
) STRICT;
CREATE INDEX points_by_domain ON points(domain_uuid, created_at);
CREATE INDEX points_by_state ON points(state);

CREATE TABLE point_disks (
  point_id     TEXT NOT NULL REFERENCES points(id) ON DELETE CASCADE,
  target       TEXT NOT NULL,
  path         TEXT NOT NULL UNIQUE,
  virtual_size INTEGER NOT NULL CHECK (virtual_size >= 0),
  size         INTEGER CHECK (size >= 0),
  format       TEXT NOT NULL CHECK (format IN ('qcow2', 'raw')),
  checkpoint   TEXT,
  PRIMARY KEY (point_id, target)
) STRICT, WITHOUT ROWID;

CREATE TABLE jobs (
  id             TEXT PRIMARY KEY,
  type           TEXT NOT NULL CHECK (type IN (${JOB_TYPES_V1})),
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
CREATE INDEX jobs_by_created ON jobs(created_at);
CREATE INDEX jobs_by_state ON jobs(state, created_at);
CREATE INDEX jobs_by_domain ON jobs(domain_uuid, created_at);
`;

const V2 = `
CREATE TABLE volumes (
  id            TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  point_id      TEXT NOT NULL,
  disk          TEXT NOT NULL,
  location_kind TEXT NOT NULL CHECK (location_kind IN ('pool', 'dir')),
  location      TEXT NOT NULL,
  path          TEXT NOT NULL UNIQUE,
  format        TEXT NOT NULL CHECK (format IN ('qcow2', 'raw')),
  created_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX volumes_by_point ON volumes(point_id);

CREATE TABLE images (
  name       TEXT PRIMARY KEY,
  point_id   TEXT NOT NULL,
  disk       TEXT NOT NULL,
  path       TEXT NOT NULL UNIQUE,
  linked     INTEGER NOT NULL CHECK (linked IN (0, 1)),
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX images_by_point ON images(point_id);
`;

const POINT_COLUMNS = `id, name, domain_uuid, chain_id, seq, kind, state, consistency, consistency_reason,
  freeze_ms, new_chain_reason, trigger, created_at, updated_at, error_code, error_message`;

const V4 = `
CREATE TABLE points_v4 (
  id                 TEXT PRIMARY KEY,
  name               TEXT NOT NULL,
  domain_uuid        TEXT NOT NULL REFERENCES domains(uuid),
  chain_id           TEXT NOT NULL REFERENCES chains(id) ON DELETE CASCADE,
  seq                INTEGER NOT NULL CHECK (seq >= 0),
  kind               TEXT NOT NULL CHECK (kind IN ('full', 'incremental')),
  state              TEXT NOT NULL CHECK (state IN (${POINT_STATES})),
  consistency        TEXT CHECK (consistency IN ('filesystem', 'crash', 'offline')),
  consistency_reason TEXT,
  freeze_ms          INTEGER CHECK (freeze_ms >= 0),
  new_chain_reason   TEXT,
  trigger            TEXT NOT NULL CHECK (trigger IN (${TRIGGERS})),
  created_at         INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL,
  error_code         TEXT,
  error_message      TEXT,
  UNIQUE (chain_id, seq),
  UNIQUE (domain_uuid, name),
  CHECK (kind = 'full' OR seq > 0)
) STRICT;
INSERT INTO points_v4 (${POINT_COLUMNS}) SELECT ${POINT_COLUMNS} FROM points;
CREATE TABLE point_disks_v4 (
  point_id     TEXT NOT NULL REFERENCES points_v4(id) ON DELETE CASCADE,
  target       TEXT NOT NULL,
  path         TEXT NOT NULL UNIQUE,
  virtual_size INTEGER NOT NULL CHECK (virtual_size >= 0),
  size         INTEGER CHECK (size >= 0),
  format       TEXT NOT NULL CHECK (format IN ('qcow2', 'raw')),
  checkpoint   TEXT,
  PRIMARY KEY (point_id, target)
) STRICT, WITHOUT ROWID;
INSERT INTO point_disks_v4 (point_id, target, path, virtual_size, size, format, checkpoint)
  SELECT point_id, target, path, virtual_size, size, format, checkpoint FROM point_disks;
DROP TABLE point_disks;
DROP TABLE points;
ALTER TABLE points_v4 RENAME TO points;
ALTER TABLE point_disks_v4 RENAME TO point_disks;
CREATE INDEX points_by_domain ON points(domain_uuid, created_at);
CREATE INDEX points_by_state ON points(state);
`;

const JOB_COLUMNS = `id, type, state, trigger, domain_uuid, point_id, progress_done, progress_total,
  error_code, error_message, result, created_at, started_at, ended_at`;

const V6 = `
CREATE TABLE jobs_v6 (
  id             TEXT PRIMARY KEY,
  type           TEXT NOT NULL CHECK (type IN (${JOB_TYPES_V6})),
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
INSERT INTO jobs_v6 (${JOB_COLUMNS})
  SELECT ${JOB_COLUMNS.replace('type,', "CASE type WHEN 'restore' THEN 'rollback' ELSE type END,")} FROM jobs ORDER BY rowid;
DROP TABLE jobs;
ALTER TABLE jobs_v6 RENAME TO jobs;
CREATE INDEX jobs_by_created ON jobs(created_at);
CREATE INDEX jobs_by_state ON jobs(state, created_at);
CREATE INDEX jobs_by_domain ON jobs(domain_uuid, created_at);
`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema: domains, chains, points, point_disks, jobs',
    up: (db) => db.exec(V1),
  },
  {
    version: 2,
    name: 'restore side: volumes, images',
    up: (db) => db.exec(V2),
  },
  {
    version: 3,
    name: 'scheduling: policies, tasks, task_policies, task_runs, scheduler_state (sqlite-scheduling.ts)',
    up: (db) => db.exec(SCHEDULING_SCHEMA),
  },
  {
    version: 4,
    name: 'synthetic full points: a full point may have seq > 0',
    up: (db) => db.exec(V4),
  },
  {
    version: 5,
    name: 'points listed in order by an index (keyset paging of GET /v1/points)',
    up: (db) => db.exec('CREATE INDEX points_list_order ON points(created_at, seq);'),
  },
  {
    version: 6,
    name: 'job type restore is renamed rollback',
    up: (db) => db.exec(V6),
  },
  {
    version: 7,
    name: 'chain owners, pending and failed chains, run outcome succeeded-with-warnings',
    up: (db) => db.exec(V7),
    foreignKeysOff: true,
  },
  {
    version: 8,
    name: 'point state corrupt, verify state, sha256 per point file',
    up: (db) => db.exec(V8),
    foreignKeysOff: true,
  },
  {
    version: 9,
    name: 'a task may verify each new point right after its backup',
    up: (db) =>
      db.exec(
        'ALTER TABLE tasks ADD COLUMN verify_after INTEGER NOT NULL DEFAULT 0 CHECK (verify_after IN (0, 1));',
      ),
  },
  { version: 10, name: 'mounts; job types mount and create-domain', up: (db) => db.exec(V10) },
  {
    version: 11,
    name: 'targets, copies, uploads and upload_parts; job types copy and remote-restore',
    up: (db) => db.exec(V11),
  },
  { version: 12, name: 'volume_resources (detached volumes)', up: (db) => db.exec(V12) },
  { version: 13, name: 'settings (host id)', up: (db) => db.exec(V13) },
  { version: 14, name: 'task copy targets, copy retries, encrypted upload state', up: (db) => db.exec(V14) },
];

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Applies the migrations the database lacks (versions 1, 2, … in order); INVALID_STATE for a
 * newer virtpoint's database. Returns the versions before/after.
 */
export function migrate(
  db: Database,
  migrations: readonly Migration[] = MIGRATIONS,
): { from: number; to: number } {
  const bad = migrations.findIndex((m, i) => m.version !== i + 1);
  if (bad >= 0)
    throw new VirtpointError('INTERNAL', `migration #${bad} has version ${migrations[bad]?.version}`);
  const from = schemaVersion(db);
  const last = migrations.at(-1)?.version ?? 0;
  if (from > last)
    throw new VirtpointError(
      'INVALID_STATE',
      `the catalog has schema version ${from}, newer than this virtpoint knows (${last}); ` +
        'upgrade virtpoint or restore an older catalog',
    );
  for (const m of migrations.filter((x) => x.version > from)) {
    const fk = db.pragma('foreign_keys', { simple: true }) as number;
    if (m.foreignKeysOff === true) db.pragma('foreign_keys = OFF');
    try {
      db.transaction(() => {
        m.up(db);
        if (m.foreignKeysOff === true) assertForeignKeys(db, m.version);
        db.pragma(`user_version = ${m.version}`);
      }).immediate();
    } finally {
      if (m.foreignKeysOff === true) db.pragma(`foreign_keys = ${fk === 1 ? 'ON' : 'OFF'}`);
    }
  }
  return { from, to: schemaVersion(db) };
}

function assertForeignKeys(db: Database, version: number): void {
  const bad = db.pragma('foreign_key_check') as unknown[];
  if (bad.length > 0) {
    throw new VirtpointError(
      'INTERNAL',
      `migration ${version} would leave ${bad.length} broken references: ${JSON.stringify(bad.slice(0, 3))}`,
    );
  }
}
