import test from 'ava';

import { remoteFileKey, remoteManifestKey } from '../../../../src/core/remote-layout.js';
import { RemoteService } from '../../../../src/service/remote/remote.js';
import { CHAIN, DOMAIN, HOST, OTHER_HOST, P0, P1, P2, seed, setup } from './_remote.js';

const OTHER_DOMAIN = '99999999-8888-4777-8666-555555555555';

async function world(encrypted = false) {
  const r = setup();
  const { store } = await r.addTarget('off', encrypted);
  await seed(store, [P0, P1, P2], encrypted ? r.key : null);
  const svc = new RemoteService(r.deps);
  return { ...r, store, svc };
}

test('remote list: every point from the manifests, with chain, seq, kind, domain name, host and completeness', async (t) => {
  const { svc, store } = await world(true);
  const res = await svc.list('off');
  t.is(res.target, 'off');
  t.deepEqual(
    res.points.map((p) => [
      p.pointId,
      p.chainId,
      p.seq,
      p.kind,
      p.domainName,
      p.hostName,
      p.complete,
      p.encrypted,
    ]),
    [
      [P0.id, CHAIN, 0, 'full', 'db1', 'kvm1', true, true],
      [P1.id, CHAIN, 1, 'incremental', 'db1', 'kvm1', true, true],
      [P2.id, CHAIN, 2, 'incremental', 'db1', 'kvm1', true, true],
    ],
  );
  t.is(res.points[2]!.createdAt, new Date(P2.createdAt).toISOString());
  t.deepEqual(res.unreadable, []);
  t.true(store.closed);
});

test('remote list: a missing ancestor file or a short object marks the later points incomplete', async (t) => {
  const { svc, store } = await world();
  const k1 = remoteFileKey(HOST, DOMAIN, CHAIN, 'vdb', 1, false);
  store.objects.delete(k1);
  const k0 = remoteFileKey(HOST, DOMAIN, CHAIN, 'vda', 0, false);
  store.objects.get(k0)!.body = store.objects.get(k0)!.body.subarray(0, 10);
  const res = await svc.list('off');
  t.deepEqual(
    res.points.map((p) => [p.seq, p.complete]),
    [
      [0, false],
      [1, false],
      [2, false],
    ],
  );
  t.deepEqual(res.points[0]!.missing, [k0]);
  t.deepEqual([...res.points[2]!.missing].sort(), [k0, k1].sort());
});

test('remote list: a missing ancestor manifest (partial chain) marks its descendants incomplete', async (t) => {
  const { svc, store } = await world();
  store.objects.delete(remoteManifestKey(HOST, DOMAIN, CHAIN, P1.id, false));
  const res = await svc.list('off');
  t.deepEqual(
    res.points.map((p) => [p.seq, p.complete]),
    [
      [0, true],
      [2, false],
    ],
  );
  t.regex(res.points[1]!.missing[0]!, /manifest of vda\.1\.qcow2/);
});

test('remote list: other hosts, --domain and --host filters; a manifest with another key is unreadable', async (t) => {
  const r = setup();
  const { store } = await r.addTarget('off', true);
  await seed(store, [P0], r.key);
  await seed(store, [{ ...P0, id: 'b00000000000', host: OTHER_HOST, domain: OTHER_DOMAIN }], r.key);
  await seed(store, [{ ...P0, id: 'c00000000000', chain: 'c1c1c1c1c1c1' }], Buffer.alloc(32, 1));
  const svc = new RemoteService(r.deps);
  const all = await svc.list('off');
  t.deepEqual(all.points.map((p) => p.pointId).sort(), [P0.id, 'b00000000000']);
  t.is(all.unreadable.length, 1);
  t.is(all.unreadable[0]!.code, 'ENCRYPTION_KEY_MISMATCH');
  t.deepEqual(
    (await svc.list('off', { host: 'kvm2' })).points.map((p) => p.pointId),
    ['b00000000000'],
  );
  t.deepEqual(
    (await svc.list('off', { host: HOST })).points.map((p) => p.pointId),
    [P0.id],
  );
  t.deepEqual(
    (await svc.list('off', { domain: OTHER_DOMAIN })).points.map((p) => p.pointId),
    ['b00000000000'],
  );
});

test('remote list: an unknown target is TARGET_NOT_FOUND', async (t) => {
  const { svc } = await world();
  t.is(((await t.throwsAsync(svc.list('nope'))) as { code?: string }).code, 'TARGET_NOT_FOUND');
});

for (const encrypted of [false, true]) {
  test(`remote verify (${encrypted ? 'encrypted' : 'clear'}): all good, then a flipped byte is a mismatch`, async (t) => {
    const { svc, store } = await world(encrypted);
    const good = await svc.verify('off');
    t.true(good.ok);
    t.is(good.points.length, 3);
    t.true(good.points.every((p) => p.files.length === 2 && p.ok));
    const key = remoteFileKey(HOST, DOMAIN, CHAIN, 'vdb', 1, encrypted);
    store.flipByte(key, 150);
    const bad = await svc.verify('off');
    t.false(bad.ok);
    t.deepEqual(
      bad.points.map((p) => p.ok),
      [true, false, true],
    );
    t.deepEqual(bad.points[1]!.files.find((f) => f.key === key)?.state, 'mismatch');
    // --point: the point and its ancestors' files.
    const one = await svc.verify('off', P2.id);
    t.is(one.points.length, 1);
    t.is(one.points[0]!.files.length, 6);
    t.false(one.ok);
    // Clear objects are hashed on the target when it can (SSH), encrypted ones are read here.
    t.is(
      store.calls.some((c) => c.startsWith('sha256 ')),
      !encrypted,
    );
  });
}

test('remote verify: a missing object and an unknown point', async (t) => {
  const { svc, store } = await world();
  const key = remoteFileKey(HOST, DOMAIN, CHAIN, 'vda', 2, false);
  store.objects.delete(key);
  const res = await svc.verify('off', P2.id);
  t.false(res.ok);
  t.is(res.points[0]!.files.find((f) => f.key === key)?.state, 'missing');
  t.is(
    ((await t.throwsAsync(svc.verify('off', 'ffffffffffff'))) as { code?: string }).code,
    'REMOTE_NOT_FOUND',
  );
});

test('remote list: a detached volume’s point (its manifest names the volume) is marked volume', async (t) => {
  const { svc, store } = await world();
  const resource = {
    kind: 'volume',
    path: '/vols/data.qcow2',
    pool: null,
    volume: null,
    format: 'qcow2',
  } as const;
  const V = {
    id: 'b00000000000',
    chain: 'd0d0d0d0d0d0',
    seq: 0,
    createdAt: 1,
    domain: OTHER_DOMAIN,
    resource,
  };
  await seed(store, [V], null, null);
  const res = await svc.list('off');
  t.deepEqual(res.points.map((p) => [p.pointId, p.volume]).sort(), [
    [P0.id, false],
    [P1.id, false],
    [P2.id, false],
    [V.id, true],
  ]);
});
