import test from 'ava';

import { memoryCatalog, newPoint, U1, U2 } from './_catalog.js';

test('domains: upsert keeps first-seen and updates name and last-seen', (t) => {
  const { catalog } = memoryCatalog();
  const a = catalog.upsertDomain({ uuid: U1, name: 'web' });
  t.deepEqual(a, { uuid: U1, name: 'web', firstSeenAt: 1000, lastSeenAt: 1000 });
  const b = catalog.upsertDomain({ uuid: U1, name: 'web-renamed' });
  t.deepEqual(b, { uuid: U1, name: 'web-renamed', firstSeenAt: 1000, lastSeenAt: 2000 });
  t.is(catalog.getDomain(U2), null);
  catalog.upsertDomain({ uuid: U2, name: 'db' });
  t.deepEqual(
    catalog.listDomains().map((d) => d.name),
    ['db', 'web-renamed'],
  );
  t.throws(() => catalog.upsertDomain({ uuid: '../x', name: 'bad' }), { code: 'INVALID_ARGUMENT' });
});

test('chains: create, get, open chain by canonical disk set, seal', (t) => {
  const { catalog } = memoryCatalog();
  catalog.upsertDomain({ uuid: U1, name: 'web' });
  const c = catalog.createChain({ domainUuid: U1, diskSet: ['vdb', 'vda'], maxLength: 3 });
  t.like(c, {
    domainUuid: U1,
    diskSet: ['vda', 'vdb'],
    maxLength: 3,
    state: 'open',
    sealReason: null,
    sealedAt: null,
  });
  t.regex(c.id, /^[0-9a-f]{12}$/);
  t.deepEqual(catalog.getChain(c.id), c);
  t.deepEqual(catalog.getOpenChain(U1, ['vda', 'vdb']), c);
  t.is(catalog.getOpenChain(U1, ['vda']), null);
  t.is(catalog.getChain('000000000000'), null);

  const sealed = catalog.sealChain(c.id, 'chain-full');
  t.like(sealed, { state: 'sealed', sealReason: 'chain-full' });
  t.is(typeof sealed.sealedAt, 'number');
  t.is(catalog.getOpenChain(U1, ['vda', 'vdb']), null);
  t.deepEqual(catalog.getLatestChain(U1, ['vdb', 'vda']), sealed);
  // sealing again keeps the first reason
  t.like(catalog.sealChain(c.id, 'restored'), { sealReason: 'chain-full' });
  t.throws(() => catalog.sealChain('000000000000', 'restored'), { code: 'CHAIN_NOT_FOUND' });
});

test('chains: default length 30, length validated, domain must exist', (t) => {
  const { catalog } = memoryCatalog();
  t.throws(() => catalog.createChain({ domainUuid: U1, diskSet: ['vda'] }), { code: 'DOMAIN_NOT_FOUND' });
  catalog.upsertDomain({ uuid: U1, name: 'web' });
  t.is(catalog.createChain({ domainUuid: U1, diskSet: ['vda'] }).maxLength, 30);
  for (const maxLength of [0, 31, 1.5]) {
    t.throws(() => catalog.createChain({ domainUuid: U1, diskSet: ['vdb'], maxLength }), {
      code: 'INVALID_ARGUMENT',
    });
  }
  t.throws(() => catalog.createChain({ domainUuid: U1, diskSet: ['vda', 'vda'] }), {
    code: 'INVALID_ARGUMENT',
  });
});

test('chains: one open chain per domain + disk set; createChain can seal the old one atomically', (t) => {
  const { catalog } = memoryCatalog();
  catalog.upsertDomain({ uuid: U1, name: 'web' });
  const old = catalog.createChain({ domainUuid: U1, diskSet: ['vda', 'vdb'] });
  t.throws(() => catalog.createChain({ domainUuid: U1, diskSet: ['vdb', 'vda'] }), {
    code: 'ALREADY_EXISTS',
  });
  // another disk set of the same domain may have its own open chain
  const subset = catalog.createChain({ domainUuid: U1, diskSet: ['vda'] });
  const next = catalog.createChain({
    domainUuid: U1,
    diskSet: ['vda', 'vdb'],
    seal: { chainId: old.id, reason: 'requested' },
  });
  t.like(catalog.getChain(old.id), { state: 'sealed', sealReason: 'requested' });
  t.deepEqual(catalog.getOpenChain(U1, ['vda', 'vdb']), next);
  t.deepEqual(catalog.getLatestChain(U1, ['vda', 'vdb']), next);
  t.is(catalog.getChain(subset.id)?.state, 'open');
  // a failing create leaves the chain to be sealed open
  t.throws(
    () =>
      catalog.createChain({
        domainUuid: U1,
        diskSet: ['vda'],
        maxLength: 99,
        seal: { chainId: next.id, reason: 'chain-full' },
      }),
    { code: 'INVALID_ARGUMENT' },
  );
  t.is(catalog.getChain(next.id)?.state, 'open');
});

test('chains: list filters by domain, state, disk set (oldest first)', (t) => {
  const { catalog } = memoryCatalog();
  catalog.upsertDomain({ uuid: U1, name: 'a' });
  catalog.upsertDomain({ uuid: U2, name: 'b' });
  const c1 = catalog.createChain({ domainUuid: U1, diskSet: ['vda'] });
  const c2 = catalog.createChain({ domainUuid: U1, diskSet: ['vda', 'vdb'] });
  const c3 = catalog.createChain({ domainUuid: U2, diskSet: ['vda'] });
  catalog.sealChain(c1.id, 'restored');
  const ids = (f: Parameters<typeof catalog.listChains>[0]) => catalog.listChains(f).map((c) => c.id);
  t.deepEqual(ids({}), [c1.id, c2.id, c3.id]);
  t.deepEqual(ids({ domainUuid: U1 }), [c1.id, c2.id]);
  t.deepEqual(ids({ state: 'open' }), [c2.id, c3.id]);
  t.deepEqual(ids({ diskSet: ['vda'] }), [c1.id, c3.id]);
  t.deepEqual(ids({ domainUuid: U1, state: 'open', diskSet: ['vdb', 'vda'] }), [c2.id]);
});

test('deleteChain removes its points and disks', (t) => {
  const { catalog } = memoryCatalog();
  catalog.upsertDomain({ uuid: U1, name: 'web' });
  const c = catalog.createChain({ domainUuid: U1, diskSet: ['vda', 'vdb'] });
  const p = catalog.createPoint(newPoint(U1, c.id, 0));
  catalog.deleteChain(c.id);
  t.is(catalog.getChain(c.id), null);
  t.is(catalog.getPoint(p.id), null);
  t.is((catalog.db.prepare('SELECT COUNT(*) AS n FROM point_disks').get() as { n: number }).n, 0);
  t.throws(() => catalog.deleteChain(c.id), { code: 'CHAIN_NOT_FOUND' });
});

test('usage per domain: chains, points, bytes', (t) => {
  const { catalog } = memoryCatalog();
  catalog.upsertDomain({ uuid: U1, name: 'a' });
  catalog.upsertDomain({ uuid: U2, name: 'b' });
  const c1 = catalog.createChain({ domainUuid: U1, diskSet: ['vda', 'vdb'] });
  const p0 = catalog.createPoint(newPoint(U1, c1.id, 0));
  catalog.updatePointState(p0.id, 'available', { sizes: { vda: 100, vdb: 20 } });
  const p1 = catalog.createPoint(newPoint(U1, c1.id, 1));
  catalog.setPointSizes(p1.id, { vda: 5 });
  catalog.createChain({ domainUuid: U1, diskSet: ['vda'] });
  t.deepEqual(catalog.usage(), [{ domainUuid: U1, chains: 2, points: 2, bytes: 125 }]);
  t.deepEqual(catalog.domainUsage(U1), { domainUuid: U1, chains: 2, points: 2, bytes: 125 });
  t.deepEqual(catalog.domainUsage(U2), { domainUuid: U2, chains: 0, points: 0, bytes: 0 });
});

test('chains: each owner (a task, or manual) has its own open chain of a disk set', (t) => {
  const { catalog } = memoryCatalog();
  catalog.upsertDomain({ uuid: U1, name: 'web' });
  const a = catalog.createChain({
    domainUuid: U1,
    diskSet: ['vda'],
    owner: { taskId: 'ta', name: 'nightly' },
  });
  const b = catalog.createChain({
    domainUuid: U1,
    diskSet: ['vda'],
    owner: { taskId: 'tb', name: 'hourly' },
  });
  const m = catalog.createChain({ domainUuid: U1, diskSet: ['vda'] });
  t.like(a, { ownerTaskId: 'ta', ownerName: 'nightly', state: 'open' });
  t.like(m, { ownerTaskId: null, ownerName: null });
  t.is(catalog.getOpenChain(U1, ['vda'], 'ta')?.id, a.id);
  t.is(catalog.getOpenChain(U1, ['vda'], 'tb')?.id, b.id);
  t.is(catalog.getOpenChain(U1, ['vda'])?.id, m.id);
  t.is(catalog.getLatestChain(U1, ['vda'], 'ta')?.id, a.id);
  t.is(catalog.getLatestChain(U1, ['vda'], 'tc'), null);
  t.throws(
    () => catalog.createChain({ domainUuid: U1, diskSet: ['vda'], owner: { taskId: 'ta', name: 'nightly' } }),
    { code: 'ALREADY_EXISTS' },
  );
  // a new chain replaces only a chain of its own owner
  t.throws(
    () =>
      catalog.createChain({ domainUuid: U1, diskSet: ['vda'], seal: { chainId: a.id, reason: 'requested' } }),
    { code: 'INVALID_ARGUMENT' },
  );
  t.is(catalog.getChain(a.id)?.state, 'open');
  const ids = (owner: string | null) => catalog.listChains({ owner }).map((c) => c.id);
  t.deepEqual(ids('ta'), [a.id]);
  t.deepEqual(ids(null), [m.id]);
  t.is(catalog.listChains({}).length, 3);
});

test('a pending chain opens and seals the chain it replaces only when its full point becomes available', (t) => {
  const { catalog } = memoryCatalog();
  catalog.upsertDomain({ uuid: U1, name: 'web' });
  const old = catalog.createChain({ domainUuid: U1, diskSet: ['vda', 'vdb'] });
  const next = catalog.createChain({
    domainUuid: U1,
    diskSet: ['vda', 'vdb'],
    seal: { chainId: old.id, reason: 'requested' },
    pending: true,
  });
  t.like(next, { state: 'pending', replaces: old.id });
  t.is(catalog.getChain(old.id)?.state, 'open');
  // the next backup still continues the old chain
  t.is(catalog.getLatestChain(U1, ['vda', 'vdb'])?.id, old.id);
  const p = catalog.createPoint(newPoint(U1, next.id, 0, { newChainReason: 'requested' }));
  t.is(catalog.getChain(next.id)?.state, 'pending');
  catalog.updatePointState(p.id, 'available');
  t.like(catalog.getChain(next.id), { state: 'open', replaces: null });
  t.like(catalog.getChain(old.id), { state: 'sealed', sealReason: 'requested' });
  t.is(catalog.getLatestChain(U1, ['vda', 'vdb'])?.id, next.id);
});

test('a pending chain whose full point fails becomes failed and the chain it would replace stays open', (t) => {
  const { catalog } = memoryCatalog();
  catalog.upsertDomain({ uuid: U1, name: 'web' });
  const old = catalog.createChain({ domainUuid: U1, diskSet: ['vda', 'vdb'] });
  const next = catalog.createChain({
    domainUuid: U1,
    diskSet: ['vda', 'vdb'],
    seal: { chainId: old.id, reason: 'requested' },
    pending: true,
  });
  const p = catalog.createPoint(newPoint(U1, next.id, 0));
  catalog.setPointError(p.id, { code: 'COMMAND_FAILED', message: 'boom' });
  t.like(catalog.getChain(next.id), { state: 'failed', replaces: null, sealReason: null });
  t.is(catalog.getChain(old.id)?.state, 'open');
  t.is(catalog.getLatestChain(U1, ['vda', 'vdb'])?.id, old.id);
  t.throws(() => catalog.createPoint(newPoint(U1, next.id, 1)), { code: 'INVALID_STATE' });
});
