import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import test from 'ava';
import Sqlite from 'better-sqlite3';

import {
  migrate,
  MIGRATIONS,
  schemaVersion,
  type Migration,
} from '../../../../src/adapters/sqlite/migrations.js';
import { SqliteCatalog } from '../../../../src/adapters/sqlite/sqlite-catalog.js';

/** The newest schema version (versions may skip one another branch holds). */
const LATEST = MIGRATIONS.at(-1)!.version;

function tables(db: Sqlite.Database): string[] {
  return (
    db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`).all() as {
      name: string;
    }[]
  ).map((r) => r.name);
}

test('an empty database (user_version 0) gets the whole schema', (t) => {
  const db = new Sqlite(':memory:');
  t.is(schemaVersion(db), 0);
  t.deepEqual(migrate(db), { from: 0, to: LATEST });
  for (const name of ['chains', 'domains', 'images', 'jobs', 'point_disks', 'points', 'volumes']) {
    t.true(tables(db).includes(name), name);
  }
  t.is(schemaVersion(db), LATEST);
  // applying again changes nothing
  t.deepEqual(migrate(db), { from: LATEST, to: LATEST });
  db.close();
});

test('migration 2: a version-1 catalog with data gets volumes and images, data kept', (t) => {
  const db = new Sqlite(':memory:');
  db.pragma('foreign_keys = ON');
  t.deepEqual(migrate(db, MIGRATIONS.slice(0, 1)), { from: 0, to: 1 });
  db.prepare(`INSERT INTO domains VALUES ('u', 'web', 1, 1)`).run();
  db.prepare(`INSERT INTO chains VALUES ('c', 'u', 'vda', 30, 'open', NULL, 1, NULL)`).run();
  db.prepare(
    `INSERT INTO points (id, name, domain_uuid, chain_id, seq, kind, state, trigger, created_at, updated_at)
     VALUES ('p', 'n', 'u', 'c', 0, 'full', 'available', 'manual', 1, 1)`,
  ).run();
  t.deepEqual(migrate(db, MIGRATIONS.slice(0, 2)), { from: 1, to: 2 });
  t.true(tables(db).includes('volumes') && tables(db).includes('images'));
  t.deepEqual(db.prepare('SELECT id, state FROM points').all(), [{ id: 'p', state: 'available' }]);
  db.prepare(
    `INSERT INTO volumes VALUES ('v', 'vol1', 'p', 'vda', 'dir', '/srv/vols', '/srv/vols/vol1', 'raw', 2)`,
  ).run();
  db.prepare(`INSERT INTO images VALUES ('img', 'p', 'vda', '/var/lib/virtpoint/images/img', 1, 2)`).run();
  // a volume keeps its point id after the point is gone (history): no foreign key
  db.prepare(`DELETE FROM points`).run();
  t.is((db.prepare('SELECT COUNT(*) AS n FROM volumes').get() as { n: number }).n, 1);
  t.throws(
    () =>
      db.prepare(`INSERT INTO volumes VALUES ('w', 'x', 'p', 'vda', 'nfs', '/x', '/x/x', 'raw', 2)`).run(),
    { any: true, message: /CHECK constraint/ },
  );
  t.throws(() => db.prepare(`INSERT INTO images VALUES ('img', 'p', 'vda', '/y', 0, 2)`).run(), {
    any: true,
    message: /UNIQUE/,
  });
  db.close();
});

test('migrations are applied in order, each with its data step, from any earlier version', (t) => {
  const db = new Sqlite(':memory:');
  const extra: Migration[] = [
    ...MIGRATIONS,
    {
      version: LATEST + 1,
      name: 'test: add a column and fill it',
      up: (d) => {
        d.exec(`ALTER TABLE domains ADD COLUMN note TEXT`);
        d.exec(`UPDATE domains SET note = 'was ' || name`);
      },
    },
  ];
  migrate(db);
  db.prepare(`INSERT INTO domains VALUES ('u', 'web', 1, 1)`).run();
  t.deepEqual(migrate(db, extra), { from: LATEST, to: LATEST + 1 });
  t.deepEqual(db.prepare('SELECT name, note FROM domains').get(), { name: 'web', note: 'was web' });
  db.close();
});

test('a failing migration rolls back and leaves the version unchanged', (t) => {
  const db = new Sqlite(':memory:');
  migrate(db);
  const broken: Migration[] = [
    ...MIGRATIONS,
    {
      version: LATEST + 1,
      name: 'broken',
      up: (d) => {
        d.exec('CREATE TABLE half_done (x INTEGER)');
        throw new Error('boom');
      },
    },
  ];
  t.throws(() => migrate(db, broken), { message: 'boom' });
  t.is(schemaVersion(db), LATEST);
  t.false(tables(db).includes('half_done'));
  db.close();
});

test('a catalog newer than this virtpoint is refused (INVALID_STATE)', (t) => {
  const db = new Sqlite(':memory:');
  db.pragma(`user_version = ${LATEST + 1}`);
  t.throws(() => migrate(db), { code: 'INVALID_STATE' });
  db.close();
});

test('migration versions must be contiguous from 1', (t) => {
  const db = new Sqlite(':memory:');
  t.throws(() => migrate(db, [{ version: 2, name: 'x', up: () => {} }]), { code: 'INTERNAL' });
  db.close();
});

test('SqliteCatalog migrates a file database and sets WAL and foreign keys', (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'virtpoint-catalog-'));
  try {
    const c = new SqliteCatalog({ path: `${dir}/catalog.db` });
    t.is(c.db.pragma('journal_mode', { simple: true }), 'wal');
    t.is(c.db.pragma('foreign_keys', { simple: true }), 1);
    t.is(schemaVersion(c.db), LATEST);
    c.close();
    const again = new SqliteCatalog({ path: `${dir}/catalog.db` });
    t.is(schemaVersion(again.db), LATEST);
    again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
