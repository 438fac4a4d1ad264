import test from 'ava';

import { remoteFileKey } from '../../../../src/core/remote-layout.js';
import { silentLogger } from '../../../../src/ports/logger.js';
import { fetchPoint, removeFetchLeftovers } from '../../../../src/service/remote/fetch.js';
import { pointNeeds, readListing } from '../../../../src/service/remote/scan.js';
import { CHAIN, DOMAIN, fileBytes, HOST, P0, P1, P2, seed, setup, STORE } from './_remote.js';

async function fetchP2(
  encrypted: boolean,
  tamper?: (s: import('../../../helpers/fake-target.js').FakeTarget) => void,
  readKey?: Uint8Array,
) {
  const r = setup();
  const { store } = await r.addTarget('off', encrypted);
  await seed(store, [P0, P1, P2], encrypted ? r.key : null);
  tamper?.(store);
  const key = readKey ?? (encrypted ? r.key : null);
  const listing = await readListing(store, encrypted ? r.key : null);
  const p = listing.points.find((x) => x.pointId === P2.id)!;
  const run = () => fetchPoint(r.deps, store, pointNeeds(p, listing), key);
  const leftovers = () => [...r.fs.files.keys(), ...[...r.fs.dirs].filter((d) => d.startsWith(`${STORE}/.`))];
  return { ...r, store, run, leftovers };
}

for (const encrypted of [false, true]) {
  test(`fetch (${encrypted ? 'encrypted' : 'clear'}): the point and its ancestors, verified, removed afterwards`, async (t) => {
    const { run, fs, leftovers } = await fetchP2(encrypted);
    const f = await run();
    t.deepEqual([...f.top.keys()], ['vda', 'vdb']);
    t.is(f.top.get('vda'), `${f.dir}/vda.2.qcow2`);
    t.regex(f.dir, /^\/store\/\.remote-fetch-[0-9a-f]{12}$/);
    // Six files (2 disks x 3 points), named as the manifests name them, bytes as uploaded.
    t.deepEqual(
      [...fs.files.keys()].filter((k) => k.startsWith(f.dir)).sort(),
      ['vda.0', 'vda.1', 'vda.2', 'vdb.0', 'vdb.1', 'vdb.2'].map((n) => `${f.dir}/${n}.qcow2`),
    );
    t.is(fs.files.get(`${f.dir}/vdb.1.qcow2`)!.data, fileBytes(P1, 'vdb').toString('latin1'));
    await f.remove();
    t.deepEqual(leftovers(), []);
  });
}

test('fetch: a flipped byte in an ancestor is DATA_CORRUPT and writes nothing', async (t) => {
  const key = remoteFileKey(HOST, DOMAIN, CHAIN, 'vda', 0, false);
  const { run, leftovers } = await fetchP2(false, (s) => s.flipByte(key, 100));
  const e = await t.throwsAsync(run);
  t.is((e as { code?: string }).code, 'DATA_CORRUPT');
  t.regex(e!.message, /vda\.0\.qcow2 does not match its manifest/);
  t.deepEqual(leftovers(), []);
});

test('fetch: a flipped byte in an encrypted object is DATA_CORRUPT and writes nothing', async (t) => {
  const key = remoteFileKey(HOST, DOMAIN, CHAIN, 'vdb', 1, true);
  const { run, leftovers } = await fetchP2(true, (s) => s.flipByte(key, 200));
  t.is(((await t.throwsAsync(run)) as { code?: string }).code, 'DATA_CORRUPT');
  t.deepEqual(leftovers(), []);
});

test('fetch: another key is ENCRYPTION_KEY_MISMATCH naming both key ids, writes nothing', async (t) => {
  const { run, leftovers } = await fetchP2(true, undefined, Buffer.alloc(32, 7));
  const e = await t.throwsAsync(run);
  t.is((e as { code?: string }).code, 'ENCRYPTION_KEY_MISMATCH');
  t.regex(e!.message, /encrypted with key [0-9a-f]{16}, this target's key is [0-9a-f]{16}/);
  t.deepEqual(leftovers(), []);
});

test('fetch: a missing object is REMOTE_NOT_FOUND before anything is read', async (t) => {
  const key = remoteFileKey(HOST, DOMAIN, CHAIN, 'vdb', 0, false);
  const { run, leftovers, store } = await fetchP2(false, (s) => s.objects.delete(key));
  const e = await t.throwsAsync(run);
  t.is((e as { code?: string }).code, 'REMOTE_NOT_FOUND');
  t.true(e!.message.includes(key));
  t.false(store.calls.some((c) => c.startsWith('read ')));
  t.deepEqual(leftovers(), []);
});

test('fetch: an object that vanishes during the fetch is REMOTE_NOT_FOUND, nothing left', async (t) => {
  const key = remoteFileKey(HOST, DOMAIN, CHAIN, 'vda', 1, false);
  const { run, leftovers, store } = await fetchP2(false);
  store.failOn = (call) => {
    if (call === `read ${key}`) store.objects.delete(key);
  };
  t.is(((await t.throwsAsync(run)) as { code?: string }).code, 'REMOTE_NOT_FOUND');
  t.deepEqual(leftovers(), []);
});

test('removeFetchLeftovers: removes fetch directories with their files, nothing else', async (t) => {
  const r = setup();
  await r.fs.mkdir(`${STORE}/.remote-fetch-0123456789ab`);
  r.fs.files.set(`${STORE}/.remote-fetch-0123456789ab/vda.0.qcow2`, { mode: 0o600, data: 'x' });
  await r.fs.mkdir(`${STORE}/.remote-fetch-ba9876543210`);
  r.fs.files.set(`${STORE}/.remote-fetch-ba9876543210/notes.txt`, { mode: 0o600, data: 'operator' });
  r.fs.files.set(`${STORE}/${DOMAIN}/${CHAIN}/vda.0.qcow2`, { mode: 0o600, data: 'store' });
  t.is(await removeFetchLeftovers(r.fs, STORE, silentLogger), 1);
  t.false(await r.fs.exists(`${STORE}/.remote-fetch-0123456789ab`));
  t.true(r.fs.files.has(`${STORE}/.remote-fetch-ba9876543210/notes.txt`));
  t.true(r.fs.files.has(`${STORE}/${DOMAIN}/${CHAIN}/vda.0.qcow2`));
});
