import test from 'ava';
import Sqlite from 'better-sqlite3';

import { JOB_TYPES_V10 } from '../../../../src/adapters/sqlite/migration-v10.js';
import { migrate, MIGRATIONS } from '../../../../src/adapters/sqlite/migrations.js';
import { SqliteMounts } from '../../../../src/adapters/sqlite/sqlite-mounts.js';

function at(version: number) {
  const db = new Sqlite(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db, MIGRATIONS.slice(0, version));
  return db;
}

test('migration 10: jobs kept, job types mount and create-domain accepted, others still refused', (t) => {
  const db = at(8);
  db.exec(`
    INSERT INTO domains VALUES ('u', 'web', 1, 1);
    INSERT INTO jobs (id, type, state, trigger, domain_uuid, point_id, result, created_at)
      VALUES ('j1', 'backup', 'succeeded', 'manual', 'u', 'p0', '{"a":1}', 5),
             ('j2', 'verify', 'failed', 'schedule', NULL, 'p0', NULL, 6);
  `);
  t.throws(
    () =>
      db.exec(
        `INSERT INTO jobs (id, type, state, trigger, created_at) VALUES ('x', 'mount', 'queued', 'manual', 1)`,
      ),
    {
      any: true,
      message: /CHECK/,
    },
  );
  t.deepEqual(migrate(db, MIGRATIONS.slice(0, 10)), { from: 8, to: 10 });
  t.deepEqual(db.prepare('SELECT id, type, state, domain_uuid, result FROM jobs ORDER BY id').all(), [
    { id: 'j1', type: 'backup', state: 'succeeded', domain_uuid: 'u', result: '{"a":1}' },
    { id: 'j2', type: 'verify', state: 'failed', domain_uuid: null, result: null },
  ]);
  for (const [i, type] of JOB_TYPES_V10.entries()) {
    db.prepare(
      `INSERT INTO jobs (id, type, state, trigger, created_at) VALUES (?, ?, 'queued', 'manual', 1)`,
    ).run(`n${i}`, type);
  }
  t.throws(
    () =>
      db.exec(
        `INSERT INTO jobs (id, type, state, trigger, created_at) VALUES ('y', 'restore', 'queued', 'manual', 1)`,
      ),
    {
      any: true,
      message: /CHECK/,
    },
  );
  t.true(JOB_TYPES_V10.includes('mount') && JOB_TYPES_V10.includes('create-domain'));
});

test('mounts: a row per mount, each step recorded, dir unique, kinds checked', (t) => {
  const db = at(10);
  let now = 100;
  const mounts = new SqliteMounts(db, () => now);
  const m = mounts.create({
    id: 'm1',
    pointId: 'p1',
    disk: 'vda',
    kind: 'mount',
    workDir: '/s/mounts/m1',
    dir: '/mnt/a',
    socket: null,
  });
  t.like(m, { state: 'mounting', qsdPid: null, loopDevice: null, createdAt: 100, lastUsedAt: 100 });
  t.like(mounts.update('m1', { qsdPid: 42, qsdStartTime: 7, fuseFile: '/s/mounts/m1/vda.raw' }), {
    qsdPid: 42,
    qsdStartTime: 7,
  });
  t.like(mounts.update('m1', { loopDevice: '/dev/loop3', partition: 2, fsType: 'ext4', state: 'active' }), {
    state: 'active',
    loopDevice: '/dev/loop3',
    partition: 2,
    fsType: 'ext4',
  });
  now = 200;
  mounts.touch('m1');
  t.is(mounts.get('m1')?.lastUsedAt, 200);
  t.throws(
    () =>
      mounts.create({
        id: 'm2',
        pointId: 'p1',
        disk: 'vda',
        kind: 'mount',
        workDir: '/s/mounts/m2',
        dir: '/mnt/a',
        socket: null,
      }),
    { code: 'ALREADY_EXISTS', message: /\/mnt\/a is already/ },
  );
  t.throws(
    () =>
      mounts.create({
        id: 'm3',
        pointId: 'p1',
        disk: 'vda',
        kind: 'nbd',
        workDir: '/s/mounts/m3',
        dir: '/mnt/b',
        socket: null,
      }),
    { code: 'INVALID_ARGUMENT' },
  );
  t.throws(() => mounts.update('m1', { qsdPid: 0 }), { any: true });
  mounts.create({
    id: 'm4',
    pointId: 'p2',
    disk: 'vdb',
    kind: 'nbd',
    workDir: '/s/mounts/m4',
    dir: null,
    socket: '/run/x.sock',
  });
  t.deepEqual(
    mounts.list().map((x) => x.id),
    ['m1', 'm4'],
  );
  t.deepEqual(
    mounts.list({ pointId: 'p2' }).map((x) => x.id),
    ['m4'],
  );
  mounts.remove('m1');
  t.is(mounts.get('m1'), null);
  t.throws(() => mounts.update('m1', { state: 'unmounting' }), { code: 'NOT_FOUND' });
});
