import test from 'ava';
import { randomBytes } from 'node:crypto';

import { SqliteCatalog } from '../../../../src/adapters/sqlite/sqlite-catalog.js';
import { silentLogger } from '../../../../src/ports/logger.js';
import { BackupService } from '../../../../src/service/backup/backup.js';
import { resolvePointRef } from '../../../../src/service/catalog/point-ref.js';
import { FakeClock, FakeFs, FakeImageTool } from '../../../fakes/fake-host.js';
import { FakeHypervisor } from '../../../fakes/fake-hypervisor.js';

async function setup() {
  const hv = new FakeHypervisor();
  const fs = new FakeFs();
  const imageTool = new FakeImageTool(fs);
  const catalog = new SqliteCatalog({ path: ':memory:' });
  const disk = (f: string) => [{ target: 'vda', sourcePath: f, format: 'qcow2', capacity: 1 << 30 }];
  imageTool.addSource('/images/web.qcow2', 1 << 30);
  imageTool.addSource('/images/db.qcow2', 1 << 30);
  const web = hv.addDomain({ name: 'web1', disks: disk('/images/web.qcow2') });
  const db = hv.addDomain({ name: 'db1', disks: disk('/images/db.qcow2') });
  const backup = new BackupService({
    hypervisor: hv,
    imageTool,
    catalog,
    fs,
    log: silentLogger,
    storeRoot: '/store',
    clock: new FakeClock(),
    random: randomBytes,
    pollMs: 1,
  });
  const webBefore = await backup.backup({ domain: web, name: 'before-upgrade' });
  const dbBefore = await backup.backup({ domain: db, name: 'before-upgrade' });
  const webOnly = await backup.backup({ domain: web, name: 'nightly' });
  return { catalog, web, db, webBefore, dbBefore, webOnly };
}

test('a point by id, by a name unique across domains, or by a name within a domain', async (t) => {
  const s = await setup();
  t.is(resolvePointRef(s.catalog, s.webOnly.id).id, s.webOnly.id);
  t.is(resolvePointRef(s.catalog, 'nightly').id, s.webOnly.id);
  t.is(resolvePointRef(s.catalog, 'before-upgrade', s.web).id, s.webBefore.id);
  t.is(resolvePointRef(s.catalog, 'before-upgrade', s.db).id, s.dbBefore.id);
  t.is(resolvePointRef(s.catalog, s.webOnly.name, s.web).id, s.webOnly.id, 'the default name works too');
});

test('a repeated name without a domain → POINT_AMBIGUOUS listing the matches with their domains', async (t) => {
  const s = await setup();
  const e = t.throws(() => resolvePointRef(s.catalog, 'before-upgrade'), { code: 'POINT_AMBIGUOUS' });
  t.regex(e?.message ?? '', new RegExp(`${s.webBefore.id} \\(domain web1\\)`));
  t.regex(e?.message ?? '', new RegExp(`${s.dbBefore.id} \\(domain db1\\)`));
  t.regex(e?.message ?? '', /give the domain or the point id/);
});

test('unknown, out of scope and malformed references', async (t) => {
  const s = await setup();
  t.throws(() => resolvePointRef(s.catalog, 'nope'), { code: 'POINT_NOT_FOUND' });
  t.throws(() => resolvePointRef(s.catalog, 'nightly', s.db), { code: 'POINT_NOT_FOUND', message: /db1/ });
  t.throws(() => resolvePointRef(s.catalog, s.webOnly.id, s.db), { code: 'POINT_NOT_FOUND' });
  t.throws(() => resolvePointRef(s.catalog, 'a/b'), { code: 'INVALID_ARGUMENT' });
  t.throws(() => resolvePointRef(s.catalog, ''), { code: 'INVALID_ARGUMENT' });
});
