import test from 'ava';
import { mkdtemp, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteCatalog } from '../../../../src/adapters/sqlite/sqlite-catalog.js';
import { U1 } from './_catalog.js';

async function tempDir(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vp-recovery-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('checkpoint empties the WAL: catalog.db alone holds the data', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'catalog.db');
  const c = new SqliteCatalog({ path });
  c.upsertDomain({ uuid: U1, name: 'web1' });
  t.true((await stat(`${path}-wal`)).size > 0);
  c.checkpoint();
  t.is((await stat(`${path}-wal`)).size, 0);
  c.close();
  // Only catalog.db copied (as an operator copying the file would): the domain is there.
  await rm(`${path}-wal`, { force: true });
  await rm(`${path}-shm`, { force: true });
  const again = new SqliteCatalog({ path });
  t.is(again.getDomain(U1)?.name, 'web1');
  again.close();
});

test('backupTo writes a consistent private copy that opens as a catalog', async (t) => {
  const dir = await tempDir(t);
  const c = new SqliteCatalog({ path: join(dir, 'catalog.db') });
  c.upsertDomain({ uuid: U1, name: 'web1' });
  const copy = join(dir, 'copy.db');
  await c.recovery.backupTo(copy);
  t.is((await stat(copy)).mode & 0o777, 0o600);
  const opened = new SqliteCatalog({ path: copy });
  t.is(opened.getDomain(U1)?.name, 'web1');
  opened.close();
  c.close();
});

test('a malformed catalog fails to open with IO_ERROR naming catalog rebuild', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'catalog.db');
  const c = new SqliteCatalog({ path });
  for (let i = 0; i < 200; i++)
    c.upsertDomain({ uuid: `${U1.slice(0, -3)}${String(i).padStart(3, '0')}`, name: `d${i}` });
  c.checkpoint();
  c.close();
  // Garbage over the pages after the header: "database disk image is malformed".
  const { open } = await import('node:fs/promises');
  const fh = await open(path, 'r+');
  await fh.write(Buffer.alloc(8192, 0xa5), 0, 8192, 4096);
  await fh.close();
  const e = t.throws(() => new SqliteCatalog({ path }));
  t.is((e as { code?: string }).code, 'IO_ERROR');
  t.regex(e!.message, /malformed|not a database/);
  t.regex(e!.message, /catalog rebuild/);
});

test('a file that is not a database fails clearly too', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'catalog.db');
  await writeFile(path, 'x'.repeat(8192));
  const e = t.throws(() => new SqliteCatalog({ path }));
  t.regex(e!.message, /catalog rebuild/);
});

test('a catalog truncated to 0 bytes opens empty (the start check then looks at the store)', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'catalog.db');
  const c = new SqliteCatalog({ path });
  c.upsertDomain({ uuid: U1, name: 'web1' });
  c.close();
  await rm(`${path}-wal`, { force: true });
  await truncate(path, 0);
  const again = new SqliteCatalog({ path });
  t.true(again.recovery.isEmpty());
  again.close();
});

test('importChains refuses a catalog that is not empty', (t) => {
  const c = new SqliteCatalog({ path: ':memory:' });
  c.upsertDomain({ uuid: U1, name: 'web1' });
  c.createChain({ domainUuid: U1, diskSet: ['vda'] });
  const e = t.throws(() => c.recovery.importChains([], []));
  t.is((e as { code?: string }).code, 'INVALID_STATE');
});
