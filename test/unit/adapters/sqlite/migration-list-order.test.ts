import test from 'ava';
import Sqlite from 'better-sqlite3';

import { migrate, MIGRATIONS } from '../../../../src/adapters/sqlite/migrations.js';

test('migration 5: points keep their rows; listing in order uses the new index, no sort', (t) => {
  const db = new Sqlite(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db, MIGRATIONS.slice(0, 4));
  db.prepare(`INSERT INTO domains VALUES ('u', 'web', 1, 1)`).run();
  db.prepare(`INSERT INTO chains VALUES ('c', 'u', 'vda', 30, 'open', NULL, 1, NULL)`).run();
  db.prepare(
    `INSERT INTO points (id, name, domain_uuid, chain_id, seq, kind, state, trigger, created_at, updated_at)
     VALUES ('p0', 'a0', 'u', 'c', 0, 'full', 'available', 'manual', 5, 5)`,
  ).run();
  t.deepEqual(migrate(db, MIGRATIONS.slice(0, 5)), { from: 4, to: 5 });
  t.deepEqual(db.prepare('SELECT id FROM points').all(), [{ id: 'p0' }]);
  const plan = db
    .prepare('EXPLAIN QUERY PLAN SELECT id FROM points ORDER BY created_at, seq LIMIT 100')
    .all()
    .map((r) => (r as { detail: string }).detail)
    .join('; ');
  t.regex(plan, /points_list_order/);
  t.notRegex(plan, /TEMP B-TREE/);
});
