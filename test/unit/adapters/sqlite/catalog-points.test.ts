import test from 'ava';

import { memoryCatalog, newPoint, U1, U2 } from './_catalog.js';

function setup() {
  const { catalog, clock } = memoryCatalog();
  catalog.upsertDomain({ uuid: U1, name: 'web' });
  const chain = catalog.createChain({ domainUuid: U1, diskSet: ['vda', 'vdb'] });
  return { catalog, clock, chain };
}

test('createPoint: state creating, disks sorted, all fields mapped', (t) => {
  const { catalog, chain } = setup();
  const p = catalog.createPoint(newPoint(U1, chain.id, 0, { trigger: 'schedule' }, ['vdb', 'vda']));
  t.deepEqual(p, {
    id: p.id,
    name: `p-${chain.id}-0`,
    domainUuid: U1,
    chainId: chain.id,
    seq: 0,
    kind: 'full',
    state: 'creating',
    consistency: null,
    consistencyReason: null,
    freezeMs: null,
    newChainReason: 'no-chain',
    trigger: 'schedule',
    createdAt: p.createdAt,
    updatedAt: p.createdAt,
    error: null,
    disks: ['vda', 'vdb'].map((target) => ({
      target,
      path: `${U1}/${chain.id}/${target}.0.qcow2`,
      virtualSize: 1 << 30,
      size: null,
      format: 'qcow2',
      checkpoint: `vp-${chain.id}-0`,
      fileSize: null,
      sha256: null,
    })),
    verify: { state: 'never', at: null, detail: null },
  });
  t.deepEqual(catalog.getPoint(p.id), p);
  t.deepEqual(catalog.getPointByName(U1, p.name), p);
  t.is(catalog.getPointByName(U2, p.name), null);
});

test('createPoint validates: chain, domain, seal, name, seq/kind, disk set, paths, duplicates', (t) => {
  const { catalog, chain } = setup();
  const np = (seq: number, over = {}, targets?: string[]) => newPoint(U1, chain.id, seq, over, targets);
  t.throws(() => catalog.createPoint({ ...np(0), chainId: '000000000000' }), { code: 'CHAIN_NOT_FOUND' });
  catalog.upsertDomain({ uuid: U2, name: 'other' });
  t.throws(() => catalog.createPoint({ ...np(0), domainUuid: U2 }), { code: 'INVALID_ARGUMENT' });
  t.throws(() => catalog.createPoint(np(0, { name: 'a/b' })), { code: 'INVALID_ARGUMENT' });
  t.throws(() => catalog.createPoint(np(1, { kind: 'full' })), { code: 'INVALID_ARGUMENT' });
  t.throws(() => catalog.createPoint(np(0, { kind: 'incremental' })), { code: 'INVALID_ARGUMENT' });
  t.throws(() => catalog.createPoint(np(0, {}, ['vda'])), { code: 'INVALID_ARGUMENT' });
  const escaping = np(0);
  t.throws(
    () =>
      catalog.createPoint({
        ...escaping,
        disks: escaping.disks.map((d) => ({ ...d, path: `../${d.target}` })),
      }),
    { code: 'INVALID_ARGUMENT' },
  );
  t.deepEqual(catalog.listPoints(), []);

  catalog.createPoint(np(0));
  t.throws(() => catalog.createPoint(np(0, { name: 'other' })), { code: 'ALREADY_EXISTS' }); // same seq
  t.throws(() => catalog.createPoint(np(1, { name: `p-${chain.id}-0` })), { code: 'ALREADY_EXISTS' }); // same name
  catalog.sealChain(chain.id, 'restored');
  t.throws(() => catalog.createPoint(np(1)), { code: 'INVALID_STATE' });
  t.is(catalog.listPoints().length, 1);
});

test('state changes: legal path with patch written in the same transaction', (t) => {
  const { catalog, chain } = setup();
  const p = catalog.createPoint(newPoint(U1, chain.id, 0));
  catalog.setPointCapture(p.id, {
    consistency: 'crash',
    consistencyReason: 'no guest agent',
    freezeMs: null,
  });
  const a = catalog.updatePointState(p.id, 'available', { sizes: { vda: 111, vdb: 222 } });
  t.like(a, {
    state: 'available',
    consistency: 'crash',
    consistencyReason: 'no guest agent',
    freezeMs: null,
  });
  t.deepEqual(
    a.disks.map((d) => d.size),
    [111, 222],
  );
  t.true(a.updatedAt > p.updatedAt);
  t.is(catalog.updatePointState(p.id, 'restoring').state, 'restoring');
  t.is(catalog.updatePointState(p.id, 'available').state, 'available');
  t.is(catalog.updatePointState(p.id, 'deleting').state, 'deleting');
  t.is(
    catalog.updatePointState(p.id, 'delete-failed', { error: { code: 'IO_ERROR', message: 'x' } }).state,
    'delete-failed',
  );
  t.is(catalog.updatePointState(p.id, 'deleting').state, 'deleting');
  catalog.deletePoint(p.id);
  t.is(catalog.getPoint(p.id), null);
  t.throws(() => catalog.deletePoint(p.id), { code: 'POINT_NOT_FOUND' });
  t.throws(() => catalog.updatePointState(p.id, 'available'), { code: 'POINT_NOT_FOUND' });
});

test('an illegal state change throws INVALID_STATE and leaves the row unchanged', (t) => {
  const { catalog, chain } = setup();
  const p = catalog.createPoint(newPoint(U1, chain.id, 0));
  t.throws(() => catalog.updatePointState(p.id, 'restoring', { consistency: 'filesystem', freezeMs: 5 }), {
    code: 'INVALID_STATE',
  });
  t.deepEqual(catalog.getPoint(p.id), p);
});

test('a state change failing halfway (unknown disk in sizes) is rolled back whole', (t) => {
  const { catalog, chain } = setup();
  const p = catalog.createPoint(newPoint(U1, chain.id, 0));
  t.throws(() => catalog.updatePointState(p.id, 'available', { freezeMs: 12, sizes: { vda: 1, vdz: 2 } }), {
    code: 'DISK_NOT_FOUND',
  });
  t.deepEqual(catalog.getPoint(p.id), p);
  t.throws(() => catalog.updatePointState(p.id, 'available', { sizes: { vda: -1 } }), {
    code: 'INVALID_ARGUMENT',
  });
  t.deepEqual(catalog.getPoint(p.id), p);
});

test('an outer transaction that fails rolls back the state changes inside it', (t) => {
  const { catalog, chain } = setup();
  const p = catalog.createPoint(newPoint(U1, chain.id, 0));
  t.throws(
    () =>
      catalog.transaction(() => {
        catalog.updatePointState(p.id, 'available');
        catalog.jobs.create({ type: 'backup', trigger: 'manual', domainUuid: U2 }); // no such domain
      }),
    { code: 'DOMAIN_NOT_FOUND' },
  );
  t.deepEqual(catalog.getPoint(p.id), p);
  t.deepEqual(catalog.jobs.list(), []);
  const r = catalog.transaction(() => catalog.updatePointState(p.id, 'available').state);
  t.is(r, 'available');
});

test('setPointError: creating → error keeps the chain open; available → error seals it', (t) => {
  const { catalog, chain } = setup();
  const p0 = catalog.createPoint(newPoint(U1, chain.id, 0));
  catalog.updatePointState(p0.id, 'available');
  const p1 = catalog.createPoint(newPoint(U1, chain.id, 1));
  const e1 = catalog.setPointError(p1.id, { code: 'FREEZE_FAILED', message: 'guest agent said no' });
  t.like(e1, { state: 'error', error: { code: 'FREEZE_FAILED', message: 'guest agent said no' } });
  t.is(catalog.getChain(chain.id)?.state, 'open');
  // error → error is illegal
  t.throws(() => catalog.setPointError(p1.id, { code: 'INTERNAL', message: 'again' }), {
    code: 'INVALID_STATE',
  });
  catalog.setPointError(p0.id, { code: 'IO_ERROR', message: 'file missing' });
  t.like(catalog.getChain(chain.id), { state: 'sealed', sealReason: 'previous-point-unusable' });
  // an error point can be deleted; its error is kept while deleting
  t.like(catalog.updatePointState(p1.id, 'deleting'), {
    state: 'deleting',
    error: { code: 'FREEZE_FAILED' },
  });
});

test('listPoints filters by domain, chain, state (one or many), kind, trigger', (t) => {
  const { catalog, chain } = setup();
  catalog.upsertDomain({ uuid: U2, name: 'db' });
  const other = catalog.createChain({ domainUuid: U2, diskSet: ['vda'] });
  const a0 = catalog.createPoint(newPoint(U1, chain.id, 0));
  const a1 = catalog.createPoint(newPoint(U1, chain.id, 1, { trigger: 'schedule' }));
  const b0 = catalog.createPoint(newPoint(U2, other.id, 0, {}, ['vda']));
  catalog.updatePointState(a0.id, 'available');
  catalog.setPointError(b0.id, { code: 'INTERNAL', message: 'x' });
  const ids = (f: Parameters<typeof catalog.listPoints>[0]) => catalog.listPoints(f).map((p) => p.id);
  t.deepEqual(ids({}), [a0.id, a1.id, b0.id]);
  t.deepEqual(ids({ domainUuid: U2 }), [b0.id]);
  t.deepEqual(ids({ chainId: chain.id }), [a0.id, a1.id]);
  t.deepEqual(ids({ state: 'available' }), [a0.id]);
  t.deepEqual(ids({ state: ['creating', 'error'] }), [a1.id, b0.id]);
  t.deepEqual(ids({ state: [] }), []);
  t.deepEqual(ids({ kind: 'incremental' }), [a1.id]);
  t.deepEqual(ids({ trigger: 'schedule' }), [a1.id]);
  t.deepEqual(ids({ domainUuid: U1, state: 'creating', kind: 'incremental' }), [a1.id]);
});

test('listPoints pages with after + limit in list order, disks included, filters kept', (t) => {
  const { catalog, clock } = memoryCatalog();
  catalog.upsertDomain({ uuid: U1, name: 'a' });
  catalog.upsertDomain({ uuid: U2, name: 'b' });
  const c1 = catalog.createChain({ domainUuid: U1, diskSet: ['vda', 'vdb'] });
  const c2 = catalog.createChain({ domainUuid: U2, diskSet: ['vda', 'vdb'] });
  const ids: string[] = [];
  for (let seq = 0; seq < 7; seq++) {
    clock.t += 10;
    ids.push(catalog.createPoint(newPoint(U1, c1.id, seq)).id);
    catalog.createPoint(newPoint(U2, c2.id, seq));
  }
  const pages: string[][] = [];
  for (let after: string | undefined; ;) {
    const page = catalog.listPoints({ domainUuid: U1, limit: 3, ...(after ? { after } : {}) });
    pages.push(page.map((p) => p.id));
    t.true(page.every((p) => p.disks.length === 2 && p.domainUuid === U1));
    if (page.length < 3) break;
    after = page.at(-1)!.id;
  }
  t.deepEqual(pages, [ids.slice(0, 3), ids.slice(3, 6), ids.slice(6)]);
  t.deepEqual(catalog.listPoints({ after: '000000000000' }), [], 'an unknown cursor matches nothing');
});

test('listPoints: made since/until a time, names containing a text (case-insensitive)', (t) => {
  const { catalog, chain } = setup();
  const made = [0, 1, 2].map((seq) =>
    catalog.createPoint(
      newPoint(U1, chain.id, seq, { name: ['Nightly-1', 'before-upgrade', 'nightly-2'][seq]! }),
    ),
  );
  const at = made.map((p) => p.createdAt);
  const ids = (f: Parameters<typeof catalog.listPoints>[0]) => catalog.listPoints(f).map((p) => p.id);
  t.deepEqual(ids({ since: at[1] }), [made[1]!.id, made[2]!.id]);
  t.deepEqual(ids({ until: at[1] }), [made[0]!.id]);
  t.deepEqual(ids({ since: at[0], until: at[2] }), [made[0]!.id, made[1]!.id]);
  t.deepEqual(ids({ nameContains: 'NIGHT' }), [made[0]!.id, made[2]!.id]);
  t.deepEqual(ids({ nameContains: 'night', limit: 1 }), [made[0]!.id]);
  t.deepEqual(ids({ nameContains: '%' }), [], 'no pattern characters: a plain substring');
});
