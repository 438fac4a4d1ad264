import test from 'ava';
import { randomBytes } from 'node:crypto';
import { SqliteCatalog } from '../../../src/adapters/sqlite/sqlite-catalog.js';
import { reconcileRestores } from '../../../src/daemon/reconcile-restore.js';
import { silentLogger } from '../../../src/ports/logger.js';
import { BackupService } from '../../../src/service/backup/backup.js';
import type { BackupDeps } from '../../../src/service/backup/deps.js';
import { FakeHypervisor } from '../../fakes/fake-hypervisor.js';
import { FakeClock, FakeFs, FakeImageTool } from '../../fakes/fake-host.js';

const GiB = 1 << 30;

async function setup() {
  const hv = new FakeHypervisor();
  const fs = new FakeFs();
  const images = new FakeImageTool(fs);
  const catalog = new SqliteCatalog({ path: ':memory:' });
  images.addSource('/vms/a.qcow2', GiB);
  images.addSource('/vms/b.qcow2', GiB);
  const uuid = hv.addDomain({
    name: 'db1',
    disks: [
      { target: 'vda', sourcePath: '/vms/a.qcow2', format: 'qcow2', capacity: GiB },
      { target: 'vdb', sourcePath: '/vms/b.qcow2', format: 'qcow2', capacity: GiB },
    ],
  });
  const deps: BackupDeps = {
    hypervisor: hv,
    imageTool: images,
    catalog,
    fs,
    clock: new FakeClock(),
    random: randomBytes,
    log: silentLogger,
    storeRoot: '/store',
    pollMs: 1,
  };
  const p0 = await new BackupService(deps).backup({ domain: uuid });
  hv.dom(uuid).state = 'shutoff';
  const put = (path: string, content: string) => fs.files.set(path, { mode: 0o600, data: content });
  return { hv, fs, catalog, deps, uuid, p0, put };
}

const ID = 'abcdefabcdef';

test('a rollback cut off between its renames is undone: every disk has its original again', async (t) => {
  const { fs, deps, put, catalog, p0 } = await setup();
  // vda was renamed already (its restore file is gone, the new content is in place); vdb was not.
  put('/vms/a.qcow2', 'new:a');
  put(`/vms/.a.qcow2.virtpoint-orig-${ID}`, 'old:a');
  put('/vms/b.qcow2', 'old:b');
  put(`/vms/.b.qcow2.virtpoint-orig-${ID}`, 'old:b');
  put(`/vms/.b.qcow2.virtpoint-restore-${ID}`, 'new:b');
  const out = await reconcileRestores(deps, []);
  t.deepEqual(out.undone, ['/vms/a.qcow2']);
  t.is(fs.files.get('/vms/a.qcow2')?.data, 'old:a');
  t.is(fs.files.get('/vms/b.qcow2')?.data, 'old:b');
  t.deepEqual(
    [...fs.files.keys()].filter((f) => f.includes('virtpoint-')),
    [],
  );
  t.is(catalog.getChain(p0.chainId)?.state, 'open', 'nothing was rolled back');
});

test('a rollback cut off after all its renames is completed: old files go, checkpoints dropped, chain sealed', async (t) => {
  const { fs, deps, put, catalog, p0, hv, uuid } = await setup();
  put('/vms/a.qcow2', 'new:a');
  put('/vms/b.qcow2', 'new:b');
  put(`/vms/.a.qcow2.virtpoint-orig-${ID}`, 'old:a');
  put(`/vms/.b.qcow2.virtpoint-orig-${ID}`, 'old:b');
  const out = await reconcileRestores(deps, ['/images']);
  t.deepEqual(out.completed.sort(), ['/vms/a.qcow2', '/vms/b.qcow2']);
  t.is(fs.files.get('/vms/a.qcow2')?.data, 'new:a');
  t.false(fs.files.has(`/vms/.a.qcow2.virtpoint-orig-${ID}`));
  t.deepEqual(hv.dom(uuid).checkpoints, []);
  t.is(catalog.getChain(p0.chainId)?.sealReason, 'restored');
});

test("completing a cut-off rollback keeps another catalog's vp- checkpoints", async (t) => {
  const { deps, put, hv, uuid, p0 } = await setup();
  const mine = hv.dom(uuid).checkpoints[0]!;
  hv.dom(uuid).checkpoints.push(
    { ...mine, name: 'vp-0123456789ab-0' },
    { ...mine, name: 'vp-0123456789ab-1' },
  );
  put('/vms/a.qcow2', 'new:a');
  put(`/vms/.a.qcow2.virtpoint-orig-${ID}`, 'old:a');
  await reconcileRestores(deps, []);
  t.deepEqual(
    hv.dom(uuid).checkpoints.map((c) => c.name),
    ['vp-0123456789ab-0', 'vp-0123456789ab-1'],
  );
  t.not(mine.name, 'vp-0123456789ab-0');
  t.true(mine.name.startsWith(`vp-${p0.chainId}-`));
});

test("temp files of copies go; a running domain's leftovers are left alone and reported", async (t) => {
  const { fs, deps, put, hv, uuid } = await setup();
  put(`/images/.golden.qcow2.virtpoint-tmp-${ID}`, 'partial');
  put(`/vms/.b.qcow2.virtpoint-restore-${ID}`, 'new:b');
  hv.dom(uuid).state = 'running';
  const out = await reconcileRestores(deps, ['/images']);
  t.deepEqual(out.removed, ['/images/golden.qcow2']);
  t.false(fs.files.has(`/images/.golden.qcow2.virtpoint-tmp-${ID}`));
  t.deepEqual(out.skipped, ['/vms']);
  t.true(fs.files.has(`/vms/.b.qcow2.virtpoint-restore-${ID}`));
});
