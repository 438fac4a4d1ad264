import test from 'ava';
import Sqlite from 'better-sqlite3';

import { migrate, MIGRATIONS } from '../../../../src/adapters/sqlite/migrations.js';

test('migration 6: stored restore jobs become rollback jobs, every other job and column kept', (t) => {
  const db = new Sqlite(':memory:');
  db.pragma('foreign_keys = ON');
  t.deepEqual(migrate(db, MIGRATIONS.slice(0, 5)), { from: 0, to: 5 });
  db.prepare(`INSERT INTO domains VALUES ('u', 'web', 1, 1)`).run();
  const insert = db.prepare(
    `INSERT INTO jobs (id, type, state, trigger, domain_uuid, point_id, progress_done, progress_total,
       error_code, error_message, result, created_at, started_at, ended_at)
     VALUES (?, ?, 'succeeded', 'manual', 'u', 'p', 7, 9, NULL, NULL, ?, ?, 2, 3)`,
  );
  insert.run('j1', 'restore', '{"started":true}', 10);
  insert.run('j2', 'backup', null, 10);
  insert.run('j3', 'create-volume', null, 11);
  // version 5 does not know rollback
  t.throws(() => insert.run('j4', 'rollback', null, 12), { any: true, message: /CHECK/ });

  t.deepEqual(migrate(db, MIGRATIONS.slice(0, 6)), { from: 5, to: 6 });
  t.deepEqual(db.prepare('SELECT id, type FROM jobs ORDER BY created_at, rowid').all(), [
    { id: 'j1', type: 'rollback' },
    { id: 'j2', type: 'backup' },
    { id: 'j3', type: 'create-volume' },
  ]);
  t.like(db.prepare(`SELECT * FROM jobs WHERE id = 'j1'`).get(), {
    state: 'succeeded',
    domain_uuid: 'u',
    point_id: 'p',
    progress_done: 7,
    progress_total: 9,
    result: '{"started":true}',
    created_at: 10,
    started_at: 2,
    ended_at: 3,
  });
  // now restore is refused and rollback taken
  t.throws(() => insert.run('j5', 'restore', null, 12), { any: true, message: /CHECK/ });
  insert.run('j6', 'rollback', null, 12);
  const indexes = db
    .prepare(`SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'jobs' AND sql IS NOT NULL`)
    .all()
    .map((r) => (r as { name: string }).name)
    .sort();
  t.deepEqual(indexes, ['jobs_by_created', 'jobs_by_domain', 'jobs_by_state']);
  db.close();
});
