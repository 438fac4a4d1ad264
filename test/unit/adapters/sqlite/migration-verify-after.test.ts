import test from 'ava';
import Sqlite from 'better-sqlite3';

import { migrate, MIGRATIONS } from '../../../../src/adapters/sqlite/migrations.js';

test('migration 9: existing tasks do not verify after their backups; the column takes 0 or 1 only', (t) => {
  const db = new Sqlite(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db, MIGRATIONS.slice(0, 8));
  db.exec(`INSERT INTO tasks (id, name, resources, chain_length, retention, receivers, enabled, run_count,
                              created_at, updated_at)
           VALUES ('t', 'web', '[]', 30, 'forever', '[]', 1, 0, 1, 1)`);
  t.deepEqual(migrate(db, MIGRATIONS.slice(0, 9)), { from: 8, to: 9 });
  t.deepEqual(db.prepare('SELECT name, verify_after FROM tasks').all(), [{ name: 'web', verify_after: 0 }]);
  db.prepare(`UPDATE tasks SET verify_after = 1`).run();
  t.throws(() => db.prepare(`UPDATE tasks SET verify_after = 2`).run(), { any: true, message: /CHECK/ });
});
