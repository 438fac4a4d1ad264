import { copyFile, mkdir, readdir, rename, rm, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';
import type { PointView, RebuildView, StatusView, VolumeView } from '../../../src/contract/index.js';
import { withDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { sha256FileInImage } from '../../helpers/host-image.js';
import { RUN_DIR } from '../../helpers/run-dir.js';
import { withTestVm } from '../../helpers/test-vm.js';

// Issue 11 §1 on a real VM: a lost, emptied or stale catalog never costs a backup. One VM (two
// disks) and one daemon for all cases: a full and two incrementals with seeded bytes written in
// the guest between them; then, for each way of losing the catalog, the daemon refuses to start
// (naming the commands) with the store untouched, and a rebuild brings every point back with its
// id, each restoring its bytes (create-volume, sha256 read from the volume on the host).

const DISKS = ['vda', 'vdb'] as const;

/** Every file under the store with its size: what "untouched" means. */
async function storeListing(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string, rel: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      if (e.isDirectory()) await walk(join(dir, e.name), `${rel}${e.name}/`);
      else out.push(`${rel}${e.name} ${(await stat(join(dir, e.name))).size}`);
    }
  };
  await walk(root, '');
  return out.sort();
}

test('a lost, emptied or stale catalog: the daemon refuses to start, the store stays whole, the rebuild brings every point back', async (t) => {
  const vm = await withTestVm(t, { disks: [{ sizeMiB: 64 }, { sizeMiB: 64 }] });
  const volDir = join(RUN_DIR, `catalog-loss-vols-${process.pid}`);
  await mkdir(volDir, { recursive: true });
  t.teardown(() => rm(volDir, { recursive: true, force: true }));
  const d = await withDaemon(t, { config: [`allowed_volume_dirs = ${volDir}`] });
  const catalog = join(d.stateDir, 'catalog.db');
  const store = join(d.stateDir, 'store');
  // The catalog file as a copy taken now would have it (no backups yet in it).
  const stale = join(volDir, 'stale-catalog.db');
  await copyFile(catalog, stale);

  const points: PointView[] = [];
  const sums: Record<string, Record<string, string>> = {};
  for (let i = 0; i < 3; i++) {
    const s: Record<string, string> = {};
    for (const disk of DISKS)
      s[disk] = await vm.agent.writeSeededFile(`/mnt/${disk}/f.bin`, `cl-${disk}-${i}`, 192 * 1024);
    const p = await d.json<PointView>(['backup', vm.name]);
    t.is(p.kind, i === 0 ? 'full' : 'incremental');
    points.push(p);
    sums[p.id] = s;
  }
  const ids = points.map((p) => p.id);
  const listing = await storeListing(store);
  t.is(listing.filter((f) => /\.manifest\.json /.test(f)).length, 3, 'one manifest per point');

  /** Every point is back with its id, and each restores the bytes seeded before it. */
  const checkAllBack = async (label: string) => {
    const back = await d.json<PointView[]>(['point', 'list', '--domain', vm.name]);
    t.deepEqual(
      back.map((p) => p.id),
      ids,
      `${label}: same points`,
    );
    t.true(
      back.every((p) => p.state === 'available'),
      label,
    );
    for (const p of back) {
      for (const disk of DISKS) {
        const name = `${label}-${p.seq}-${disk}.qcow2`;
        const v = await d.json<VolumeView>([
          'volume',
          'create',
          '--point',
          p.id,
          '--disk',
          disk,
          '--name',
          name,
          '--dir',
          volDir,
        ]);
        t.is(
          await sha256FileInImage(v.path, '/f.bin'),
          sums[p.id]?.[disk] ?? 'no sum',
          `${label}: point ${p.seq} ${disk}`,
        );
        t.is((await d.cli(['volume', 'delete', v.id])).code, 0);
      }
    }
    t.deepEqual(await storeListing(store), listing, `${label}: the store is as it was`);
  };

  /** Start → refused, naming the commands, nothing in the store touched. */
  const refused = async (dd: TestDaemon, label: string) => {
    const e = await t.throwsAsync(dd.restart(), undefined, `${label}: refuses to start`);
    t.regex(e?.message ?? '', /virtpointd --rebuild-catalog/, label);
    t.regex(e?.message ?? '', /virtpoint catalog rebuild/, label);
    t.deepEqual(await storeListing(store), listing, `${label}: the store is untouched`);
  };
  const removeCatalog = async () => {
    for (const f of ['catalog.db', 'catalog.db-wal', 'catalog.db-shm'])
      await rm(join(d.stateDir, f), { force: true });
  };

  // 0. kill -9, then the WAL and SHM removed: the checkpoint after each job put everything into
  //    catalog.db, so nothing is lost and the daemon starts with every point.
  await d.kill('SIGKILL');
  for (const f of ['catalog.db-wal', 'catalog.db-shm']) await rm(join(d.stateDir, f), { force: true });
  await d.restart();
  await checkAllBack('wal-removed-after-checkpoint');

  // 1. A stale catalog.db (copied while all its data sat in the WAL), WAL and SHM gone.
  await d.kill('SIGTERM');
  await removeCatalog();
  await copyFile(stale, catalog);
  await refused(d, 'stale');
  await d.restart(['--rebuild-catalog']);
  await checkAllBack('stale');

  // 2. catalog.db truncated to 0 bytes.
  await d.kill('SIGTERM');
  await rm(`${catalog}-wal`, { force: true });
  await rm(`${catalog}-shm`, { force: true });
  await truncate(catalog, 0);
  await refused(d, 'truncated');
  await d.restart(['--rebuild-catalog']);
  await checkAllBack('truncated');

  // 3. The catalog files removed: refused; then `virtpoint catalog rebuild` on a daemon that
  //    started over an empty store (as on a new host the store is copied to).
  await d.kill('SIGTERM');
  await removeCatalog();
  await refused(d, 'removed');
  const aside = `${store}.aside`;
  await rename(store, aside);
  await d.restart();
  await rm(store, { recursive: true, force: true });
  await rename(aside, store);
  t.deepEqual(await d.json(['point', 'list']), []);
  const r = await d.json<RebuildView>(['catalog', 'rebuild']);
  t.deepEqual(r.points, ids);
  t.deepEqual(r.skipped, []);
  const again = await d.cli(['catalog', 'rebuild']);
  t.is(again.code, 1);
  t.regex(again.stderr, /INVALID_STATE/);
  await checkAllBack('removed');
  const doctor = await d.cli(['doctor']);
  t.is(doctor.code, 0, doctor.stdout);
  t.like((await d.json<StatusView>(['status'])).store, { unknownFiles: 0, badManifests: 0 });

  // The daily catalog copy: private, and a catalog SQLite opens.
  const day = `catalog-${new Date().toISOString().slice(0, 10)}.db`;
  const copy = await stat(join(d.stateDir, 'catalog-backups', day));
  t.is(copy.mode & 0o777, 0o600);
  t.is((await stat(join(d.stateDir, 'catalog-backups'))).mode & 0o777, 0o700);

  // An incremental still follows on the rebuilt chain (its checkpoints are still in libvirt).
  const next = await d.json<PointView>(['backup', vm.name]);
  t.like(next, { kind: 'incremental', chainId: points[0]!.chainId, seq: 3 });
});
