import test from 'ava';
import Sqlite from 'better-sqlite3';

import { migrate, MIGRATIONS } from '../../../../src/adapters/sqlite/migrations.js';

test('migration 4: points and their disks are kept; a full point may now have seq > 0', (t) => {
  const db = new Sqlite(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db, MIGRATIONS.slice(0, 3));
  db.prepare(`INSERT INTO domains VALUES ('u', 'web', 1, 1)`).run();
  db.prepare(`INSERT INTO chains VALUES ('c', 'u', 'vda', 30, 'open', NULL, 1, NULL)`).run();
  const point = db.prepare(
    `INSERT INTO points (id, name, domain_uuid, chain_id, seq, kind, state, trigger, created_at, updated_at)
     VALUES (?, ?, 'u', 'c', ?, ?, 'available', 'schedule', 1, 1)`,
  );
  point.run('p0', 'a0', 0, 'full');
  point.run('p1', 'a1', 1, 'incremental');
  db.prepare(
    `INSERT INTO point_disks VALUES ('p1', 'vda', 'u/c/vda.1.qcow2', 10, 5, 'qcow2', 'vp-c-1')`,
  ).run();
  t.throws(() => db.prepare(`UPDATE points SET kind = 'full' WHERE id = 'p1'`).run(), {
    any: true,
    message: /CHECK/,
  });
  t.deepEqual(migrate(db, MIGRATIONS.slice(0, 4)), { from: 3, to: 4 });
  t.deepEqual(db.prepare('SELECT id, seq, kind FROM points ORDER BY seq').all(), [
    { id: 'p0', seq: 0, kind: 'full' },
    { id: 'p1', seq: 1, kind: 'incremental' },
  ]);
  t.is((db.prepare('SELECT count(*) AS n FROM point_disks').get() as { n: number }).n, 1);
  db.prepare(`UPDATE points SET kind = 'full' WHERE id = 'p1'`).run();
  t.throws(() => db.prepare(`UPDATE points SET kind = 'incremental' WHERE id = 'p0'`).run(), {
    any: true,
    message: /CHECK/,
  });
  // the disks still cascade with their point
  db.prepare(`DELETE FROM points WHERE id = 'p1'`).run();
  t.is((db.prepare('SELECT count(*) AS n FROM point_disks').get() as { n: number }).n, 0);
  t.deepEqual(db.pragma('foreign_key_check'), []);
  t.true(
    (
      db.prepare(`SELECT sql FROM sqlite_schema WHERE name = 'point_disks'`).get() as { sql: string }
    ).sql.includes('REFERENCES "points"'),
  );
});
