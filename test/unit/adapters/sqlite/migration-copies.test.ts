import test from 'ava';
import Sqlite from 'better-sqlite3';

import { JOB_TYPES_V11 } from '../../../../src/adapters/sqlite/migration-v11.js';
import { migrate, MIGRATIONS } from '../../../../src/adapters/sqlite/migrations.js';

function at10(): Sqlite.Database {
  const db = new Sqlite(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db, MIGRATIONS.slice(0, 10));
  db.exec(`
    INSERT INTO domains VALUES ('u', 'web', 1, 1);
    INSERT INTO chains (id, domain_uuid, disk_set, max_length, state, created_at) VALUES ('c', 'u', 'vda', 30, 'open', 1);
    INSERT INTO points (id, name, domain_uuid, chain_id, seq, kind, state, trigger, created_at, updated_at)
      VALUES ('p0', 'a', 'u', 'c', 0, 'full', 'available', 'manual', 10, 10);
    INSERT INTO jobs (id, type, state, trigger, domain_uuid, point_id, created_at)
      VALUES ('j1', 'backup', 'succeeded', 'manual', 'u', 'p0', 5),
             ('j2', 'verify', 'failed', 'schedule', 'u', 'p0', 6);
  `);
  return db;
}

const target = `INSERT INTO targets (id, name, kind, config, encrypted, key_id, created_at)
  VALUES ('t1', 'off', 's3', '{"bucket":"b"}', 1, 'k1', 1)`;

test('migration 11: jobs kept in order, job types copy and remote-restore accepted, others refused', (t) => {
  const db = at10();
  t.throws(() => db.prepare(`UPDATE jobs SET type = 'copy' WHERE id = 'j1'`).run(), {
    any: true,
    message: /CHECK/,
  });
  t.deepEqual(migrate(db, MIGRATIONS.slice(0, 11)), { from: 10, to: 11 });
  t.deepEqual(db.prepare('SELECT id, type, state FROM jobs ORDER BY rowid').all(), [
    { id: 'j1', type: 'backup', state: 'succeeded' },
    { id: 'j2', type: 'verify', state: 'failed' },
  ]);
  for (const type of ['copy', 'remote-restore', 'mount', 'create-domain']) {
    db.prepare(`UPDATE jobs SET type = ? WHERE id = 'j1'`).run(type);
  }
  t.true(JOB_TYPES_V11.includes('copy') && JOB_TYPES_V11.includes('create-domain'));
  t.throws(() => db.prepare(`UPDATE jobs SET type = 'upload' WHERE id = 'j1'`).run(), {
    any: true,
    message: /CHECK/,
  });
  const indexes = db
    .prepare(`SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'jobs' AND sql IS NOT NULL`)
    .all()
    .map((r) => (r as { name: string }).name)
    .sort();
  t.deepEqual(indexes, ['jobs_by_created', 'jobs_by_domain', 'jobs_by_state']);
  db.close();
});

test('migration 11: a copy is one row per point × target; failed needs an error; cascades', (t) => {
  const db = at10();
  migrate(db);
  db.exec(target);
  t.throws(
    () =>
      db.exec(
        `INSERT INTO targets (id, name, kind, config, encrypted, created_at) VALUES ('t2', 'x', 's3', '{}', 1, 1)`,
      ),
    { any: true, message: /CHECK/ },
    'encrypted needs a key id',
  );
  t.throws(
    () =>
      db.exec(
        `INSERT INTO targets (id, name, kind, config, encrypted, created_at) VALUES ('t3', 'off', 'ssh', '{}', 0, 1)`,
      ),
    {
      any: true,
      message: /UNIQUE/,
    },
  );
  db.exec(`INSERT INTO copies (point_id, target_id, state, at) VALUES ('p0', 't1', 'copying', 20)`);
  t.throws(
    () => db.exec(`INSERT INTO copies (point_id, target_id, state, at) VALUES ('p0', 't1', 'copied', 21)`),
    {
      any: true,
      message: /UNIQUE|PRIMARY/,
    },
  );
  t.throws(() => db.exec(`UPDATE copies SET state = 'failed'`), { any: true, message: /CHECK/ });
  db.exec(`UPDATE copies SET state = 'failed', error_code = 'TARGET_UNREACHABLE', error_message = 'm'`);
  t.throws(
    () => db.exec(`INSERT INTO copies (point_id, target_id, state, at) VALUES ('nope', 't1', 'copying', 1)`),
    {
      any: true,
      message: /FOREIGN KEY/,
    },
  );
  db.exec(`DELETE FROM points WHERE id = 'p0'`);
  t.is((db.prepare('SELECT COUNT(*) AS n FROM copies').get() as { n: number }).n, 0);
  db.close();
});

test('migration 11: upload parts belong to their upload and go with it', (t) => {
  const db = at10();
  migrate(db);
  db.exec(target);
  db.exec(`INSERT INTO uploads (target_id, key, point_id, file, size, part_size, upload_id, created_at, updated_at)
    VALUES ('t1', 'h/u/c/vda.0.qcow2', 'p0', 'vda.0.qcow2', 100, 16777216, 'up-1', 1, 1)`);
  db.exec(`INSERT INTO upload_parts VALUES ('t1', 'h/u/c/vda.0.qcow2', 1, 100, '"e"', 'md5==')`);
  t.throws(() => db.exec(`INSERT INTO upload_parts VALUES ('t1', 'other', 1, 1, NULL, 'x')`), {
    any: true,
    message: /FOREIGN KEY/,
  });
  t.throws(() => db.exec(`INSERT INTO upload_parts VALUES ('t1', 'h/u/c/vda.0.qcow2', 0, 1, NULL, 'x')`), {
    any: true,
    message: /CHECK/,
  });
  db.exec(`DELETE FROM targets WHERE id = 't1'`);
  t.is((db.prepare('SELECT COUNT(*) AS n FROM uploads').get() as { n: number }).n, 0);
  t.is((db.prepare('SELECT COUNT(*) AS n FROM upload_parts').get() as { n: number }).n, 0);
  t.deepEqual(db.pragma('foreign_key_check'), []);
  db.close();
});
