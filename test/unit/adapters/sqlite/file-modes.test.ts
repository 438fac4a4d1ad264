import test from 'ava';
import Sqlite from 'better-sqlite3';
import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { catalogFiles, restrictCatalogFiles } from '../../../../src/adapters/sqlite/file-modes.js';
import { SqliteCatalog } from '../../../../src/adapters/sqlite/sqlite-catalog.js';

const modeOf = async (p: string) => (await stat(p)).mode & 0o7777;
const modes = (path: string) => Promise.all(catalogFiles(path).map(modeOf));

async function tempDir(t: { teardown: (f: () => Promise<void> | void) => void }) {
  const dir = await mkdtemp(join(tmpdir(), 'vp-catalog-modes-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  // A permissive umask, as a process without the daemon's 077 would have.
  const old = process.umask(0o022);
  t.teardown(() => void process.umask(old));
  return dir;
}

test('a new catalog: catalog.db, -wal and -shm are 0600 even under umask 022', async (t) => {
  const path = join(await tempDir(t), 'catalog.db');
  const catalog = new SqliteCatalog({ path });
  t.teardown(() => catalog.close());
  t.deepEqual(await modes(path), [0o600, 0o600, 0o600]);
});

test('files from before (0644, -wal and -shm held open by another connection) are made 0600 on open', async (t) => {
  const path = join(await tempDir(t), 'catalog.db');
  const old = new Sqlite(path);
  t.teardown(() => old.close());
  old.pragma('journal_mode = WAL');
  old.exec('CREATE TABLE before (x); INSERT INTO before VALUES (1)');
  for (const f of catalogFiles(path)) await chmod(f, 0o644);
  t.deepEqual(await modes(path), [0o644, 0o644, 0o644]);

  const catalog = new SqliteCatalog({ path });
  t.teardown(() => catalog.close());
  t.deepEqual(await modes(path), [0o600, 0o600, 0o600]);
});

test('after a close removed -wal and -shm, the next ones SQLite creates are 0600 too', async (t) => {
  const path = join(await tempDir(t), 'catalog.db');
  new SqliteCatalog({ path }).close();
  const again = new Sqlite(path); // a plain connection: no chmod of ours
  t.teardown(() => again.close());
  again.prepare('SELECT count(*) FROM sqlite_master').get();
  t.deepEqual(await modes(path), [0o600, 0o600, 0o600]);
});

test('restrictCatalogFiles: missing files and in-memory catalogs are left alone', async (t) => {
  const path = join(await tempDir(t), 'none.db');
  t.notThrows(() => restrictCatalogFiles(path));
  t.notThrows(() => restrictCatalogFiles(':memory:'));
  await t.throwsAsync(stat(path), { code: 'ENOENT' });
});
