import test from 'ava';
import Sqlite from 'better-sqlite3';

import { migrate, MIGRATIONS } from '../../../../src/adapters/sqlite/migrations.js';
import { SqliteVolumeResources } from '../../../../src/adapters/sqlite/sqlite-volume-resources.js';

/** Up to and including migration `version` (its place in MIGRATIONS, whatever the merge adds). */
const upTo = (version: number) => MIGRATIONS.slice(0, MIGRATIONS.findIndex((m) => m.version === version) + 1);

const U = '7a1b2c3d-4e5f-5a6b-8c7d-9e0f1a2b3c4d';

test('migration 12: domains kept; volume_resources joins its domains row; pool and volume go together', (t) => {
  const db = new Sqlite(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db, MIGRATIONS.slice(0, 11));
  db.exec(`INSERT INTO domains VALUES ('11111111-2222-3333-4444-555555555555', 'web', 1, 1)`);
  t.deepEqual(migrate(db, upTo(12)), { from: 11, to: 12 });
  t.is((db.prepare('SELECT name FROM domains').get() as { name: string }).name, 'web');
  const r = new SqliteVolumeResources(db, () => 42);
  const v = r.upsert({
    uuid: U,
    label: 'default/d.qcow2',
    path: '/p/d.qcow2',
    pool: 'default',
    volume: 'd.qcow2',
    format: 'qcow2',
  });
  t.like(v, { uuid: U, label: 'default/d.qcow2', path: '/p/d.qcow2', createdAt: 42, lastBackupAt: null });
  r.touch(U, 50);
  t.is(r.get(U)?.lastBackupAt, 50);
  t.like(r.upsert({ ...v, label: 'pool2/d.qcow2', pool: 'pool2' }), {
    label: 'pool2/d.qcow2',
    createdAt: 42,
  });
  t.deepEqual(
    r.list().map((x) => x.uuid),
    [U],
  );
  t.throws(
    () => db.exec(`INSERT INTO volume_resources VALUES ('${U}x', '/q', 'pool', NULL, 'raw', 1, NULL)`),
    { any: true, message: /CHECK|FOREIGN KEY/ },
  );
  t.throws(() => db.exec(`INSERT INTO volume_resources VALUES ('nope', '/r', NULL, NULL, 'raw', 1, NULL)`), {
    any: true,
    message: /FOREIGN KEY/,
  });
  db.close();
});
