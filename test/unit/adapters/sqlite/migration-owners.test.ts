import test from 'ava';
import Sqlite from 'better-sqlite3';

import { migrate, MIGRATIONS } from '../../../../src/adapters/sqlite/migrations.js';

/** The newest schema version (versions may skip one another branch holds). */
const LATEST = MIGRATIONS.at(-1)!.version;

/** A version-6 catalog: two chains named in task A's and task B's run history, one in none. */
function v6(): Sqlite.Database {
  const db = new Sqlite(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db, MIGRATIONS.slice(0, 6));
  db.exec(`
    INSERT INTO domains VALUES ('u', 'web', 1, 1);
    INSERT INTO chains VALUES ('c1', 'u', 'vda', 30, 'sealed', 'chain-full', 10, 20);
    INSERT INTO chains VALUES ('c2', 'u', 'vda', 30, 'open', NULL, 30, NULL);
    INSERT INTO chains VALUES ('c3', 'u', 'vda,vdb', 30, 'open', NULL, 40, NULL);
    INSERT INTO points (id, name, domain_uuid, chain_id, seq, kind, state, trigger, created_at, updated_at)
      VALUES ('p1', 'autobk_p1', 'u', 'c1', 0, 'full', 'available', 'schedule', 10, 10),
             ('p2', 'autobk_p2', 'u', 'c2', 0, 'full', 'available', 'schedule', 30, 30),
             ('p3', 'autobk_p3', 'u', 'c2', 1, 'incremental', 'available', 'schedule', 35, 35),
             ('p4', 'manualbk_p4', 'u', 'c3', 0, 'full', 'available', 'manual', 40, 40);
    INSERT INTO point_disks VALUES ('p1', 'vda', 'u/c1/vda.0.qcow2', 1, 1, 'qcow2', 'vp-c1-0');
    INSERT INTO tasks (id, name, resources, chain_length, retention, receivers, enabled, run_count, created_at,
                       updated_at)
      VALUES ('ta', 'nightly', '[]', 30, '{}', '[]', 1, 2, 1, 1),
             ('tb', 'hourly', '[]', 30, '{}', '[]', 1, 1, 1, 1);
    INSERT INTO task_runs (id, task_id, trigger, started_at, ended_at, outcome, resources)
      VALUES ('r1', 'ta', 'schedule', 10, 11, 'succeeded', '[{"domain":"u","outcome":"succeeded","pointId":"p1"}]'),
             ('r2', 'tb', 'schedule', 36, 37, 'succeeded', '[{"domain":"u","outcome":"succeeded","pointId":"p3"}]'),
             ('r3', 'ta', 'schedule', 38, 39, 'partial', '[{"domain":"u","outcome":"failed"}]'),
             ('r4', 'ta', 'schedule', 30, 31, 'succeeded', '[{"domain":"u","outcome":"succeeded","pointId":"p2"}]');
  `);
  return db;
}

test('migration 7: chains are assigned to the task whose run history names their points (earliest run), else manual', (t) => {
  const db = v6();
  t.deepEqual(migrate(db), { from: 6, to: LATEST });
  t.deepEqual(
    db
      .prepare('SELECT id, state, seal_reason, owner_task_id, owner_name, replaces FROM chains ORDER BY id')
      .all(),
    [
      {
        id: 'c1',
        state: 'sealed',
        seal_reason: 'chain-full',
        owner_task_id: 'ta',
        owner_name: 'nightly',
        replaces: null,
      },
      // p2 in ta's run at 30, p3 in tb's at 36: the earliest run names the owner
      {
        id: 'c2',
        state: 'open',
        seal_reason: null,
        owner_task_id: 'ta',
        owner_name: 'nightly',
        replaces: null,
      },
      { id: 'c3', state: 'open', seal_reason: null, owner_task_id: null, owner_name: null, replaces: null },
    ],
  );
  // nothing lost: points, disks and runs are all there, references intact
  t.is((db.prepare('SELECT COUNT(*) AS n FROM points').get() as { n: number }).n, 4);
  t.is((db.prepare('SELECT COUNT(*) AS n FROM point_disks').get() as { n: number }).n, 1);
  t.is((db.prepare('SELECT COUNT(*) AS n FROM task_runs').get() as { n: number }).n, 4);
  t.deepEqual(db.pragma('foreign_key_check'), []);
  t.is(db.pragma('foreign_keys', { simple: true }), 1);
  // the cascade still works on the rebuilt chains table
  db.prepare(`DELETE FROM chains WHERE id = 'c1'`).run();
  t.is((db.prepare(`SELECT COUNT(*) AS n FROM points WHERE chain_id = 'c1'`).get() as { n: number }).n, 0);
  db.close();
});

test('migration 7: one open chain per domain, disk set and owner; pending/failed states; new run outcome', (t) => {
  const db = v6();
  migrate(db);
  const insert = db.prepare(
    `INSERT INTO chains (id, domain_uuid, disk_set, max_length, state, seal_reason, owner_task_id, owner_name,
       created_at) VALUES (?, 'u', 'vda', 30, ?, NULL, ?, ?, 50)`,
  );
  // task B may have its own open chain of vda next to task A's
  insert.run('c4', 'open', 'tb', 'hourly');
  t.throws(() => insert.run('c5', 'open', 'ta', 'nightly'), { any: true, message: /UNIQUE/ });
  insert.run('c6', 'open', null, null); // manual
  t.throws(() => insert.run('c7', 'open', null, null), { any: true, message: /UNIQUE/ });
  insert.run('c8', 'pending', 'ta', 'nightly');
  insert.run('c9', 'failed', 'ta', 'nightly');
  t.throws(() => insert.run('c10', 'bogus', null, null), { any: true, message: /CHECK/ });
  t.throws(() => insert.run('c11', 'open', 'ta', null), { any: true, message: /CHECK/ });
  db.prepare(
    `INSERT INTO task_runs (id, task_id, trigger, started_at, ended_at, outcome)
     VALUES ('r9', 'ta', 'manual', 60, 61, 'succeeded-with-warnings')`,
  ).run();
  t.throws(
    () =>
      db
        .prepare(
          `INSERT INTO task_runs (id, task_id, trigger, started_at, ended_at, outcome) VALUES ('r10', 'ta', 'manual', 60, 61, 'x')`,
        )
        .run(),
    { any: true, message: /CHECK/ },
  );
  db.close();
});

test('migration 7: a failure leaves version 6 and foreign keys on', (t) => {
  const db = v6();
  // a chain whose domain is missing cannot be copied under the foreign key check
  db.pragma('foreign_keys = OFF');
  db.exec(`INSERT INTO chains VALUES ('cx', 'gone', 'vda', 30, 'open', NULL, 60, NULL)`);
  db.pragma('foreign_keys = ON');
  t.throws(() => migrate(db), { message: /broken references/ });
  t.is(db.pragma('user_version', { simple: true }), 6);
  t.is(db.pragma('foreign_keys', { simple: true }), 1);
  t.is((db.prepare('SELECT COUNT(*) AS n FROM chains').get() as { n: number }).n, 4);
  db.close();
});
