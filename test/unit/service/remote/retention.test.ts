import test from 'ava';

import { remoteChainPrefix } from '../../../../src/core/remote-layout.js';
import {
  chainsToDelete,
  parseRule,
  RemoteRetentionService,
  type RemoteChain,
} from '../../../../src/service/remote/retention.js';
import { DOMAIN, HOST, OTHER_HOST, seed, setup, type SeedPoint } from './_remote.js';

const DAY = 86_400_000;
const NOW = 1_800_000_000_000;
const chain = (id: string, newest: number, domainUuid = DOMAIN): RemoteChain => ({
  domainUuid,
  chainId: id,
  points: [],
  newest,
});

test('rules: forever keeps all; chains:N keeps the N newest per domain; days:N drops chains whose newest point is older', (t) => {
  const cs = [
    chain('c1', NOW - 30 * DAY),
    chain('c2', NOW - 20 * DAY),
    chain('c3', NOW - 1 * DAY),
    chain('d1', NOW - 40 * DAY, '99999999-8888-4777-8666-555555555555'),
  ];
  t.deepEqual(chainsToDelete(cs, parseRule('forever'), NOW), []);
  t.deepEqual(
    chainsToDelete(cs, parseRule('chains:2'), NOW).map((c) => c.chainId),
    ['c1'],
  );
  t.deepEqual(
    chainsToDelete(cs, parseRule('days:25'), NOW).map((c) => c.chainId),
    ['c1'],
  );
  t.deepEqual(
    chainsToDelete(cs, parseRule('days:10'), NOW)
      .map((c) => c.chainId)
      .sort(),
    ['c1', 'c2'],
  );
  // The newest chain of a domain always stays (the next incremental copy may extend it).
  t.deepEqual(chainsToDelete(cs, parseRule('days:1'), NOW - 365 * DAY).length, 0);
  t.deepEqual(chainsToDelete([chain('old', 0)], parseRule('days:1'), NOW), []);
  t.throws(() => parseRule('weeks:2'), { message: /not forever, chains:N or days:N/ });
});

const pts = (chainId: string, base: number, n: number, host = HOST): SeedPoint[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `${chainId.slice(0, 10)}${String(i).padStart(2, '0')}`,
    chain: chainId,
    seq: i,
    createdAt: base + i * 1000,
    host,
  }));

test('prune: deletes whole old chains of this host only, manifests before data; a stranger object stays', async (t) => {
  const r = setup();
  const { store } = await r.addTarget('off', true, 'chains:1');
  const old = pts('aaaaaaaaaaaa', NOW - 10 * DAY, 3);
  const cur = pts('bbbbbbbbbbbb', NOW - DAY, 2);
  const foreign = pts('cccccccccccc', NOW - 30 * DAY, 2, OTHER_HOST).concat(
    pts('dddddddddddd', NOW - 2 * DAY, 1, OTHER_HOST),
  );
  await seed(store, [...old, ...cur, ...foreign], r.key);
  const stranger = `${remoteChainPrefix(HOST, DOMAIN, 'aaaaaaaaaaaa')}README`;
  store.objects.set(stranger, { body: Buffer.from('mine'), modifiedAt: 0 });
  r.clock.t = NOW;
  const svc = new RemoteRetentionService({ ...r.deps, hostId: () => HOST });
  const res = await svc.prune('off');
  t.deepEqual(res.deletedChains, [`${DOMAIN}/aaaaaaaaaaaa`]);
  t.is(res.deletedObjects, 3 + 6);
  t.is(res.keptChains, 1);
  const left = [...store.objects.keys()];
  t.false(left.some((k) => k.includes('aaaaaaaaaaaa') && k !== stranger));
  t.true(left.includes(stranger));
  t.is(left.filter((k) => k.includes('bbbbbbbbbbbb')).length, 2 * 3);
  t.is(left.filter((k) => k.startsWith(`${OTHER_HOST}/`)).length, 3 * 3);
  // Every manifest of the chain goes before its first data file, newest manifest first.
  const dels = store.calls.filter((c) => c.startsWith('delete '));
  const firstData = dels.findIndex((c) => c.endsWith('.qcow2.enc'));
  t.is(dels.slice(0, firstData).length, 3);
  t.true(dels.slice(0, firstData).every((c) => c.includes('/points/')));
  t.true(dels[0]!.includes(old[2]!.id));
});

test('prune: forever deletes nothing; an unreadable manifest of this host stops it (nothing deleted)', async (t) => {
  const r = setup();
  const { store, target } = await r.addTarget('off', false);
  await seed(store, [...pts('aaaaaaaaaaaa', 0, 2), ...pts('bbbbbbbbbbbb', NOW, 1)], null);
  const svc = new RemoteRetentionService({ ...r.deps, hostId: () => HOST });
  t.deepEqual((await svc.prune('off')).deletedChains, []);
  r.catalog.db.prepare('UPDATE targets SET retention = ? WHERE id = ?').run('chains:1', target.id);
  const bad = [...store.objects.keys()].find((k) => k.includes('bbbbbbbbbbbb') && k.includes('/points/'))!;
  store.objects.get(bad)!.body = Buffer.from('{');
  const e = await t.throwsAsync(svc.prune('off'));
  t.is((e as { code?: string }).code, 'INVALID_STATE');
  t.false(store.calls.some((c) => c.startsWith('delete ')));
});
