import test from 'ava';
import Sqlite from 'better-sqlite3';

import { migrate, MIGRATIONS } from '../../../../src/adapters/sqlite/migrations.js';

test('migration 14: tasks copy to no target, copies have no retry, uploads no encryption state; a task cannot name a missing target', (t) => {
  const db = new Sqlite(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db, MIGRATIONS.slice(0, 13));
  db.exec(`INSERT INTO tasks (id, name, resources, chain_length, retention, receivers, enabled, run_count,
                              created_at, updated_at)
           VALUES ('t', 'web', '[]', 30, 'forever', '[]', 1, 0, 1, 1)`);
  db.exec(`INSERT INTO targets (id, name, kind, config, encrypted, key_id, bwlimit, retention, created_at)
           VALUES ('g', 'offsite', 's3', '{}', 0, NULL, NULL, 'forever', 1)`);
  db.exec(`INSERT INTO uploads (target_id, key, point_id, file, size, part_size, upload_id, created_at, updated_at)
           VALUES ('g', 'k', 'p', 'f', 1, 1, NULL, 1, 1)`);
  t.deepEqual(migrate(db, MIGRATIONS.slice(0, 14)), { from: 13, to: 14 });
  t.deepEqual(db.prepare('SELECT * FROM task_targets').all(), []);
  t.deepEqual(db.prepare('SELECT key, enc FROM uploads').all(), [{ key: 'k', enc: null }]);
  db.prepare(`INSERT INTO task_targets (task_id, target_id, position) VALUES ('t', 'g', 0)`).run();
  t.throws(() => db.prepare(`INSERT INTO task_targets VALUES ('t', 'nope', 1)`).run(), {
    any: true,
    message: /FOREIGN KEY/,
  });
  t.throws(() => db.prepare(`DELETE FROM targets WHERE id = 'g'`).run(), {
    any: true,
    message: /FOREIGN KEY/,
  });
  db.prepare(`DELETE FROM tasks`).run();
  t.deepEqual(db.prepare('SELECT * FROM task_targets').all(), [], 'gone with its task');
  const cols = (db.prepare('PRAGMA table_info(copies)').all() as { name: string; dflt_value: unknown }[])
    .filter((c) => c.name === 'attempts' || c.name === 'retry_at')
    .map((c) => [c.name, c.dflt_value]);
  t.deepEqual(cols, [
    ['attempts', '0'],
    ['retry_at', null],
  ]);
});
