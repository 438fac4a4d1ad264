import test from 'ava';
import Sqlite from 'better-sqlite3';

import { migrate, MIGRATIONS } from '../../../../src/adapters/sqlite/migrations.js';

const V3 = MIGRATIONS.findIndex((m) => m.version === 3) + 1;

function tables(db: Sqlite.Database): string[] {
  return (
    db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`).all() as {
      name: string;
    }[]
  ).map((r) => r.name);
}

test('migration 3: a version-2 catalog with data gets the scheduling tables, data kept', (t) => {
  t.is(V3, 3);
  const db = new Sqlite(':memory:');
  db.pragma('foreign_keys = ON');
  t.deepEqual(migrate(db, MIGRATIONS.slice(0, 2)), { from: 0, to: 2 });
  db.prepare(`INSERT INTO domains VALUES ('u', 'web', 1, 1)`).run();
  db.prepare(`INSERT INTO chains VALUES ('c', 'u', 'vda', 30, 'open', NULL, 1, NULL)`).run();
  t.deepEqual(migrate(db, MIGRATIONS.slice(0, 3)), { from: 2, to: 3 });
  for (const name of ['policies', 'tasks', 'task_policies', 'task_runs', 'scheduler_state']) {
    t.true(tables(db).includes(name), name);
  }
  t.deepEqual(db.prepare('SELECT id FROM chains').all(), [{ id: 'c' }]);

  db.prepare(`INSERT INTO policies VALUES ('p', 'nightly', '{}', 1, 1, 1)`).run();
  db.prepare(`INSERT INTO tasks VALUES ('t', 'web', '[]', 30, 'forever', '[]', 1, 0, 1, 1)`).run();
  db.prepare(`INSERT INTO task_policies VALUES ('t', 'p', 0)`).run();
  // a policy a task uses cannot go (foreign key, RESTRICT)
  t.throws(() => db.prepare(`DELETE FROM policies WHERE id = 'p'`).run(), {
    any: true,
    message: /FOREIGN KEY/,
  });
  t.throws(() => db.prepare(`INSERT INTO policies VALUES ('q', 'nightly', '{}', 1, 1, 1)`).run(), {
    any: true,
    message: /UNIQUE/,
  });
  // a running run has no end; a finished one has one
  t.throws(
    () =>
      db
        .prepare(
          `INSERT INTO task_runs (id, task_id, trigger, started_at, ended_at, outcome) VALUES ('r', 't', 'manual', 1, 2, 'running')`,
        )
        .run(),
    { any: true, message: /CHECK/ },
  );
  t.throws(
    () =>
      db
        .prepare(
          `INSERT INTO task_runs (id, task_id, trigger, started_at, outcome) VALUES ('r', 't', 'cron', 1, 'running')`,
        )
        .run(),
    { any: true, message: /CHECK/ },
  );
  db.prepare(
    `INSERT INTO task_runs (id, task_id, trigger, policy_id, started_at, outcome) VALUES ('r', 't', 'schedule', 'p', 1, 'running')`,
  ).run();
  db.prepare(`INSERT INTO scheduler_state VALUES ('t', 'p', 5)`).run();
  // deleting the task removes its bindings, runs and scheduler state; the policy can go then
  db.prepare(`DELETE FROM tasks WHERE id = 't'`).run();
  for (const table of ['task_policies', 'task_runs', 'scheduler_state']) {
    t.is((db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n, 0, table);
  }
  db.prepare(`DELETE FROM policies WHERE id = 'p'`).run();
  db.close();
});
