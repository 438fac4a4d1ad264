import test from 'ava';
import { reconcile } from '../../../../src/daemon/reconcile.js';
import { scanStore } from '../../../../src/service/recovery/store-scan.js';
import { STORE, storeWithPoints } from './_recovery.js';

test('a lost catalog: reconcile deletes nothing and reports every store file as unknown', async (t) => {
  const h = await storeWithPoints();
  const before = h.storeFiles();
  t.is(before.length, 9, 'three points: two disk files and a manifest each');
  const report = await reconcile(h.withEmptyCatalog());
  t.deepEqual(h.storeFiles(), before, 'nothing deleted');
  t.is(report.store.unknown.length, 9);
  t.deepEqual(report.store.leftovers, []);
  t.true(report.store.unknown.some((u) => /manifest of a point this catalog does not hold/.test(u.reason)));
  t.true(report.store.unknown.some((u) => /no point of this catalog refers to it/.test(u.reason)));
});

test('foreign files and directories stay; only temp files with our marker and failed points go', async (t) => {
  const h = await storeWithPoints();
  const chainDir = `${STORE}/${h.uuid}/${h.points[0]!.chainId}`;
  const foreign = [
    `${STORE}/notes.txt`,
    `${STORE}/not-a-uuid/x.qcow2`,
    `${chainDir}/vda.7.qcow2`,
    `${chainDir}/README`,
  ];
  for (const f of foreign) h.fs.files.set(f, { mode: 0o600 });
  const temp = `${chainDir}/.2.manifest.json.virtpoint-tmp-0123456789ab`;
  h.fs.files.set(temp, { mode: 0o600 });
  // A failed backup whose partial files were not removed (it never had a manifest).
  const failed = h.catalog.createPoint({
    name: 'failed',
    domainUuid: h.uuid,
    chainId: h.points[0]!.chainId,
    seq: 3,
    kind: 'incremental',
    trigger: 'manual',
    disks: ['vda', 'vdb'].map((target) => ({
      target,
      path: `${h.uuid}/${h.points[0]!.chainId}/${target}.3.qcow2`,
      virtualSize: 1 << 30,
      format: 'qcow2' as const,
      checkpoint: null,
    })),
  });
  h.catalog.setPointError(failed.id, { code: 'JOB_FAILED', message: 'x' });
  for (const d of failed.disks) h.fs.files.set(`${STORE}/${d.path}`, { mode: 0o600 });

  const dry = await scanStore(h.deps, { clean: false });
  t.is(dry.leftovers.length, 3);
  t.true(h.fs.files.has(temp), 'a scan without clean changes nothing');

  const report = await reconcile(h.deps);
  for (const f of foreign) t.true(h.fs.files.has(f), `${f} stays`);
  t.false(h.fs.files.has(temp));
  for (const d of failed.disks) t.false(h.fs.files.has(`${STORE}/${d.path}`));
  t.deepEqual(
    report.store.unknown.map((u) => u.path).sort(),
    [
      'not-a-uuid',
      'notes.txt',
      `${h.uuid}/${h.points[0]!.chainId}/README`,
      `${h.uuid}/${h.points[0]!.chainId}/vda.7.qcow2`,
    ].sort(),
  );
  for (const p of h.points) for (const d of p.disks) t.true(h.fs.files.has(`${STORE}/${d.path}`));
});

test('an error point that had been available keeps its files (its manifest proves it held data)', async (t) => {
  const h = await storeWithPoints();
  const p = h.points[2]!;
  h.catalog.setPointError(p.id, { code: 'CHAIN_BROKEN', message: 'found broken' });
  await reconcile(h.deps);
  for (const d of p.disks) t.true(h.fs.files.has(`${STORE}/${d.path}`));
});

test('reconcile writes the missing manifest of an available point; doctor-style scans report it', async (t) => {
  const h = await storeWithPoints();
  const p = h.points[1]!;
  const path = `${STORE}/${h.uuid}/${p.chainId}/1.manifest.json`;
  h.fs.files.delete(path);
  t.deepEqual((await scanStore(h.deps, { clean: false })).missingManifests, [p.id]);
  const report = await reconcile(h.deps);
  t.deepEqual(report.store.manifestsWritten, [p.id]);
  t.true(h.fs.files.has(path));
  t.deepEqual((await scanStore(h.deps, { clean: false })).missingManifests, []);
});

test('a bad manifest is reported and left alone', async (t) => {
  const h = await storeWithPoints();
  const path = `${STORE}/${h.uuid}/${h.points[0]!.chainId}/0.manifest.json`;
  h.fs.files.set(path, { mode: 0o600, data: '{"format":"virtpoint-point-manifest","version":9}' });
  const scan = await scanStore(h.deps, { clean: true });
  t.is(scan.badManifests.length, 1);
  t.regex(scan.badManifests[0]!.reason, /newer/);
  t.true(h.fs.files.has(path));
});

test('a point left creating whose manifest is in the store is made available, its files kept', async (t) => {
  const h = await storeWithPoints();
  const p = h.points[2]!;
  // The catalog row as an older copy of the catalog had it: still creating.
  h.catalog.db.prepare(`UPDATE points SET state = 'creating' WHERE id = ?`).run(p.id);
  const report = await reconcile(h.deps);
  t.deepEqual(report.adopted, [p.id]);
  t.is(h.catalog.getPoint(p.id)?.state, 'available');
  for (const d of p.disks) t.true(h.fs.files.has(`${STORE}/${d.path}`));
});

test('a catalog older than the store: its open chain is sealed, so the next backup never writes over the newer points', async (t) => {
  const h = await storeWithPoints();
  const [p0, , p2] = h.points;
  const files = h.storeFiles();
  const data = files.map((f) => h.fs.files.get(f)?.data);
  // The catalog as an older copy had it: the newest point not yet recorded.
  h.catalog.deletePoint(p2!.id);
  const report = await reconcile(h.deps);
  t.deepEqual(report.store.sealed, [p0!.chainId]);
  t.like(h.catalog.getChain(p0!.chainId), { state: 'sealed', sealReason: 'chain-sealed' });
  t.deepEqual(h.storeFiles(), files, 'nothing deleted');
  const next = await h.svc.backup({ domain: h.uuid });
  t.like(next, { kind: 'full', newChainReason: 'chain-sealed' });
  t.not(next.chainId, p0!.chainId);
  t.deepEqual(
    files.map((f) => h.fs.files.get(f)?.data),
    data,
    'no file written over',
  );
});
