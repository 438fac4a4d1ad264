import test from 'ava';
import { silentLogger } from '../../../../src/ports/logger.js';
import { reconcile } from '../../../../src/daemon/reconcile.js';
import { rebuildCatalog } from '../../../../src/service/recovery/rebuild.js';
import { checkCatalogOnStart } from '../../../../src/service/recovery/startup.js';
import { readManifest, manifestPath } from '../../../../src/service/recovery/manifest-writer.js';
import { serializeManifest } from '../../../../src/core/manifest.js';
import { STORE, storeWithPoints, VOLUME_PATH } from './_recovery.js';

const strip = (p: { updatedAt: number; disks: readonly { size: number | null }[] }) => ({
  ...p,
  updatedAt: 0,
});

test('rebuild from the manifests brings every point back with its ids, names and chain', async (t) => {
  const h = await storeWithPoints();
  const before = h.catalog.listPoints();
  const files = h.storeFiles();
  const deps = h.withEmptyCatalog();
  const report = await rebuildCatalog({ ...deps, log: silentLogger });
  t.deepEqual(
    report.points,
    before.map((p) => p.id),
  );
  t.deepEqual(report.skipped, []);
  t.is(report.chains, 1);
  t.deepEqual(deps.catalog.listPoints().map(strip), before.map(strip));
  const chain = deps.catalog.getChain(before[0]!.chainId);
  t.like(chain, { state: 'open', maxLength: 30, diskSet: ['vda', 'vdb'] });
  t.is(deps.catalog.getDomain(h.uuid)?.name, 'db1');
  t.deepEqual(h.storeFiles(), files, 'the store is not changed');
  // Reconcile afterwards finds nothing unknown.
  const rec = await reconcile(deps);
  t.deepEqual(rec.store.unknown, []);
});

test('rebuild refuses a catalog that holds points (INVALID_STATE) and changes nothing', async (t) => {
  const h = await storeWithPoints();
  const e = await t.throwsAsync(rebuildCatalog(h.deps));
  t.is((e as { code?: string }).code, 'INVALID_STATE');
  t.is(h.catalog.listPoints().length, 3);
});

test('points whose files are missing are skipped, and so are the points built on them', async (t) => {
  const h = await storeWithPoints();
  const [, p1, p2] = h.points;
  h.fs.files.delete(`${STORE}/${p1!.disks[1]!.path}`);
  const deps = h.withEmptyCatalog();
  const report = await rebuildCatalog(deps);
  t.deepEqual(report.points, [h.points[0]!.id]);
  t.is(report.skipped.length, 2);
  t.regex(
    report.skipped.find((s) => s.path.endsWith('/1.manifest.json'))!.reason,
    /missing files: vdb\.1\.qcow2/,
  );
  t.regex(
    report.skipped.find((s) => s.path.endsWith('/2.manifest.json'))!.reason,
    new RegExp(`parent point ${p1!.id}`),
  );
  t.truthy(p2);
});

test('after a merge and a synthetic full the rewritten manifests still rebuild the chain', async (t) => {
  const h = await storeWithPoints();
  const { DeleteService } = await import('../../../../src/service/catalog/delete.js');
  const del = new DeleteService(h.deps);
  const [p0, p1, p2] = h.points;
  await del.deletePoint(p1!.id, { cascade: false }); // p2 merged: its parent is now p0
  await del.dropFullKeepRest(p0!.id, p2!.id); // p2 becomes the synthetic full
  t.false(
    h.fs.files.has(`${STORE}/${h.uuid}/${p1!.chainId}/1.manifest.json`),
    'manifest removed with the point',
  );
  const deps = h.withEmptyCatalog();
  const report = await rebuildCatalog(deps);
  t.deepEqual(report.points, [p2!.id]);
  t.like(deps.catalog.getPoint(p2!.id), { kind: 'full', seq: 2, state: 'available' });
});

test('older chains are rebuilt sealed with the reason of the chain that replaced them', async (t) => {
  const h = await storeWithPoints();
  const next = await h.svc.backup({ domain: h.uuid, full: true, name: 'again' });
  const deps = h.withEmptyCatalog();
  await rebuildCatalog(deps);
  t.like(deps.catalog.getChain(h.points[0]!.chainId), { state: 'sealed', sealReason: 'requested' });
  t.like(deps.catalog.getChain(next.chainId), { state: 'open' });
});

test('on start: an empty catalog and a store with manifests refuses, naming the commands', async (t) => {
  const h = await storeWithPoints();
  const deps = h.withEmptyCatalog();
  const e = await t.throwsAsync(checkCatalogOnStart(deps, { rebuild: false, catalogPath: '/s/catalog.db' }));
  t.is((e as { code?: string }).code, 'INVALID_STATE');
  t.regex(e!.message, /virtpointd --rebuild-catalog/);
  t.regex(e!.message, /virtpoint catalog rebuild/);
  t.is(deps.catalog.listPoints().length, 0);
  const r = await checkCatalogOnStart(deps, { rebuild: true, catalogPath: '/s/catalog.db' });
  t.is(r?.points.length, 3);
  t.is(
    await checkCatalogOnStart(deps, { rebuild: false, catalogPath: '/s/catalog.db' }),
    null,
    'not empty now',
  );
});

test('on start: an empty catalog with an empty store (a new host) starts normally', async (t) => {
  const h = await storeWithPoints();
  for (const f of h.storeFiles()) h.fs.files.delete(f);
  t.is(await checkCatalogOnStart(h.withEmptyCatalog(), { rebuild: false, catalogPath: 'c' }), null);
});

test('on start: manifests that would rebuild nothing (their files gone) do not block the start', async (t) => {
  const h = await storeWithPoints();
  for (const f of h.storeFiles()) if (f.endsWith('.qcow2')) h.fs.files.delete(f);
  const deps = h.withEmptyCatalog();
  t.is(await checkCatalogOnStart(deps, { rebuild: false, catalogPath: 'c' }), null);
  t.true(h.storeFiles().length === 3, 'the manifests stay (doctor lists them)');
});

test('manifests record the chain owner; a rebuild restores each owner’s chain, one open chain per owner', async (t) => {
  const h = await storeWithPoints();
  const A = { taskId: 'aaaaaaaaaaaa', name: 'nightly' };
  const a0 = await h.svc.backup({ domain: h.uuid, trigger: 'schedule', owner: A });
  const a1 = await h.svc.backup({ domain: h.uuid, trigger: 'manual', owner: A });
  const manual = h.points[0]!;
  const m = await readManifest(h.fs, manifestPath(STORE, a1));
  t.like(m?.point, { owner: 'task:aaaaaaaaaaaa', ownerName: 'nightly', trigger: 'manual' });
  const mm = await readManifest(h.fs, manifestPath(STORE, manual));
  t.is(mm?.point.owner, 'manual');
  t.false(mm !== null && 'ownerName' in mm.point);
  const deps = h.withEmptyCatalog();
  const report = await rebuildCatalog({ ...deps, log: silentLogger });
  t.deepEqual(report.skipped, []);
  t.is(report.chains, 2);
  t.like(deps.catalog.getChain(a0.chainId), { ownerTaskId: A.taskId, ownerName: 'nightly', state: 'open' });
  t.like(deps.catalog.getChain(manual.chainId), { ownerTaskId: null, ownerName: null, state: 'open' });
  t.is(deps.catalog.getOpenChain(h.uuid, ['vda', 'vdb'], A.taskId)?.id, a0.chainId);
});

test('a volume’s manifests name it; a rebuild restores its record, and the next backup continues its chain', async (t) => {
  const h = await storeWithPoints();
  const v = h.volumes();
  const full = await v.backup();
  const inc = await v.backup();
  const resource = {
    kind: 'volume',
    path: VOLUME_PATH,
    pool: 'default',
    volume: 'data.qcow2',
    format: 'qcow2',
  };
  t.deepEqual((await readManifest(h.fs, manifestPath(STORE, inc)))?.resource, resource);
  t.false(
    'resource' in (await readManifest(h.fs, manifestPath(STORE, h.points[0]!)))!,
    'a domain’s has none',
  );
  const before = h.deps.resources.get(v.vuuid)!;

  const deps = h.withEmptyCatalog();
  const report = await rebuildCatalog({ ...deps, log: silentLogger });
  t.deepEqual(report.skipped, []);
  t.is(report.domains, 2);
  t.like(deps.resources.get(v.vuuid), {
    label: 'default/data.qcow2',
    path: VOLUME_PATH,
    pool: 'default',
    volume: 'data.qcow2',
    format: 'qcow2',
    lastBackupAt: inc.createdAt,
  });
  t.deepEqual(
    deps.resources.list().map((r) => r.uuid),
    [before.uuid],
    'the domain db1 is no volume',
  );
  t.is(deps.catalog.getDomain(v.vuuid)?.name, 'default/data.qcow2');
  t.like(deps.catalog.getChain(full.chainId), { state: 'open', diskSet: ['vol'] });
  // The volume's bitmap of the tip is still in the file: an incremental on the rebuilt chain.
  const next = await v.backup(deps);
  t.like(next, { kind: 'incremental', chainId: full.chainId, seq: 2 });
  t.like(v.offline.runs.at(-1), { sync: 'incremental', bitmap: `vp-${full.chainId}-1` });
});

test('a merge or synthetic full of a volume point keeps the resource in the rewritten manifest', async (t) => {
  const h = await storeWithPoints();
  const v = h.volumes();
  const [p0, p1, p2] = [await v.backup(), await v.backup(), await v.backup()];
  const { DeleteService } = await import('../../../../src/service/catalog/delete.js');
  // without the volume records: the resource is kept from the manifest already there
  const { resources, ...withoutRecords } = h.deps;
  t.truthy(resources);
  const del = new DeleteService(withoutRecords);
  await del.deletePoint(p1.id, { cascade: false });
  await del.dropFullKeepRest(p0.id, p2.id);
  const m = await readManifest(h.fs, manifestPath(STORE, p2));
  t.like(m?.point, { kind: 'full', parentId: null });
  t.is(m?.resource?.path, VOLUME_PATH);
  const deps = h.withEmptyCatalog();
  await rebuildCatalog(deps);
  t.is(deps.resources.get(v.vuuid)?.path, VOLUME_PATH);
});

test('a volume manifest whose path is not its resource’s (another file under its UUID) is skipped, reported', async (t) => {
  const h = await storeWithPoints();
  const v = h.volumes();
  const full = await v.backup();
  const path = manifestPath(STORE, full);
  const m = (await readManifest(h.fs, path))!;
  h.fs.files.delete(path);
  await h.fs.writeFile(
    path,
    serializeManifest({ ...m, resource: { ...m.resource!, path: '/vols/other.qcow2' } }),
    0o600,
  );
  const deps = h.withEmptyCatalog();
  const report = await rebuildCatalog(deps);
  t.is(report.skipped.length, 1);
  t.regex(report.skipped[0]!.reason, /volume \/vols\/other\.qcow2 is not the file of resource/);
  t.is(deps.catalog.getPoint(full.id), null);
  t.is(deps.resources.get(v.vuuid), null);
  t.is(report.points.length, 3, 'the domain’s points are rebuilt');
});

test('an older volume manifest (no resource) rebuilds its points; a newer one of the volume brings the record', async (t) => {
  const h = await storeWithPoints();
  const v = h.volumes();
  const full = await v.backup();
  const inc = await v.backup();
  const path = manifestPath(STORE, full);
  const { resource, ...old } = (await readManifest(h.fs, path))!;
  t.truthy(resource);
  h.fs.files.delete(path);
  await h.fs.writeFile(path, serializeManifest(old), 0o600);
  const deps = h.withEmptyCatalog();
  const report = await rebuildCatalog(deps);
  t.deepEqual(report.skipped, []);
  t.like(deps.catalog.getPoint(full.id), { state: 'available' });
  t.like(deps.resources.get(v.vuuid), { path: VOLUME_PATH, lastBackupAt: inc.createdAt });
});

test('reconcile writes a volume point’s missing manifest with its resource', async (t) => {
  const h = await storeWithPoints();
  const v = h.volumes();
  const full = await v.backup();
  h.fs.files.delete(manifestPath(STORE, full));
  const rec = await reconcile(h.deps);
  t.true(rec.store.manifestsWritten.includes(full.id));
  t.is((await readManifest(h.fs, manifestPath(STORE, full)))?.resource?.pool, 'default');
});

test('a volume manifest whose disk set is not the volume’s (vol) is skipped, reported', async (t) => {
  const h = await storeWithPoints();
  const full = await h.volumes().backup();
  const path = manifestPath(STORE, full);
  const m = (await readManifest(h.fs, path))!;
  h.fs.files.delete(path);
  const files = m.files.map((f) => ({ ...f, disk: 'vda', name: 'vda.0.qcow2' }));
  await h.fs.writeFile(
    path,
    serializeManifest({ ...m, chain: { ...m.chain, diskSet: ['vda'] }, files }),
    0o600,
  );
  const report = await rebuildCatalog(h.withEmptyCatalog());
  t.deepEqual(
    report.skipped.map((s) => s.reason),
    ["its disk set vda is not a volume point's (vol)"],
  );
});
