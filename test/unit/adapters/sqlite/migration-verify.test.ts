import test from 'ava';
import Sqlite from 'better-sqlite3';

import { migrate, MIGRATIONS } from '../../../../src/adapters/sqlite/migrations.js';

test('migration 8: points and disks kept, never verified, state corrupt and checksums accepted', (t) => {
  const db = new Sqlite(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db, MIGRATIONS.slice(0, 7));
  db.exec(`
    INSERT INTO domains VALUES ('u', 'web', 1, 1);
    INSERT INTO chains (id, domain_uuid, disk_set, max_length, state, created_at) VALUES ('c', 'u', 'vda', 30, 'open', 1);
    INSERT INTO points (id, name, domain_uuid, chain_id, seq, kind, state, trigger, created_at, updated_at)
      VALUES ('p0', 'a', 'u', 'c', 0, 'full', 'available', 'manual', 10, 10),
             ('p1', 'b', 'u', 'c', 1, 'incremental', 'error', 'schedule', 20, 20);
    INSERT INTO point_disks (point_id, target, path, virtual_size, size, format, checkpoint)
      VALUES ('p0', 'vda', 'u/c/vda.0.qcow2', 10, 5, 'qcow2', 'vp-c-0');
  `);
  t.throws(() => db.prepare(`UPDATE points SET state = 'corrupt' WHERE id = 'p0'`).run(), {
    any: true,
    message: /CHECK/,
  });
  t.deepEqual(migrate(db, MIGRATIONS.slice(0, 8)), { from: 7, to: 8 });
  t.deepEqual(
    db.prepare('SELECT id, state, verify_state, verified_at, verify_detail FROM points ORDER BY id').all(),
    [
      { id: 'p0', state: 'available', verify_state: 'never', verified_at: null, verify_detail: null },
      { id: 'p1', state: 'error', verify_state: 'never', verified_at: null, verify_detail: null },
    ],
  );
  t.like(db.prepare(`SELECT * FROM point_disks`).get(), {
    path: 'u/c/vda.0.qcow2',
    size: 5,
    file_size: null,
    sha256: null,
  });
  db.prepare(
    `UPDATE points SET state = 'corrupt', verify_state = 'failed', verified_at = 30 WHERE id = 'p0'`,
  ).run();
  db.prepare(`UPDATE point_disks SET file_size = 196608, sha256 = ? WHERE point_id = 'p0'`).run(
    '0f'.repeat(32),
  );
  t.throws(() => db.prepare(`UPDATE point_disks SET sha256 = 'XYZ'`).run(), { any: true, message: /CHECK/ });
  t.throws(() => db.prepare(`UPDATE points SET verify_state = 'ok', verified_at = NULL`).run(), {
    any: true,
    message: /CHECK/,
  });
  t.deepEqual(db.pragma('foreign_key_check'), []);
  // the cascade from points to point_disks survives the rebuild
  db.prepare(`DELETE FROM points WHERE id = 'p0'`).run();
  t.is((db.prepare('SELECT COUNT(*) AS n FROM point_disks').get() as { n: number }).n, 0);
  const indexes = db
    .prepare(
      `SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'points' AND sql IS NOT NULL`,
    )
    .all()
    .map((r) => (r as { name: string }).name)
    .sort();
  t.deepEqual(indexes, ['points_by_domain', 'points_by_state', 'points_list_order']);
  db.close();
});
