import test from 'ava';

import { remoteFileKey } from '../../../../src/core/remote-layout.js';
import type { Hypervisor } from '../../../../src/ports/hypervisor.js';
import { RemoteRestoreService } from '../../../../src/service/remote/restore.js';
import { FakeHypervisor } from '../../../fakes/fake-hypervisor.js';
import { FakeStoragePools } from '../../../fakes/fake-storage-pools.js';
import { CHAIN, DOMAIN, HOST, P0, P1, P2, seed, setup, STORE } from './_remote.js';

/** A fresh host: an empty catalog but for the target, no domain. */
async function world(encrypted = true) {
  const r = setup();
  const { store } = await r.addTarget('off', encrypted);
  await seed(store, [P0, P1, P2], encrypted ? r.key : null);
  const hv = new FakeHypervisor();
  const defined: string[] = [];
  const started: string[] = [];
  const undefined_: string[] = [];
  const h = hv as unknown as { -readonly [K in keyof Hypervisor]: Hypervisor[K] };
  h.defineDomain = async (xml: string) => {
    defined.push(xml);
    return {
      uuid: /<uuid>([^<]+)</.exec(xml)![1]!,
      name: /<name>([^<]+)</.exec(xml)![1]!,
      state: 'shutoff',
      disks: [],
      hasAgentChannel: false,
    };
  };
  h.startDomain = async (uuid: string) => {
    started.push(uuid);
  };
  h.undefineDomain = async (uuid: string) => {
    undefined_.push(uuid);
  };
  await r.fs.mkdir('/srv/vols');
  const pools = new FakeStoragePools(r.fs, r.images);
  const svc = new RemoteRestoreService({
    ...r.deps,
    hypervisor: hv,
    imageTool: r.images,
    pools,
    allowedVolumeDirs: ['/srv/vols'],
  });
  const outsideStore = () =>
    [...r.fs.files.keys()].filter((k) => !k.startsWith(`${STORE}/`) || k.includes('.remote-fetch-'));
  return { ...r, store, hv, svc, defined, started, undefined_, outsideStore };
}

test('remote restore on an empty catalog: disks flattened from the fetched chain, XML rewritten, defined, started; temp files gone', async (t) => {
  const w = await world();
  t.is(w.catalog.listPoints().length, 0);
  const res = await w.svc.restore({
    target: 'off',
    point: P1.id,
    as: 'db1-back',
    dir: '/srv/vols',
    start: true,
  });
  t.is(res.name, 'db1-back');
  t.is(res.pointId, P1.id);
  t.deepEqual(res.disks, [
    { target: 'vda', path: '/srv/vols/db1-back-vda' },
    { target: 'vdb', path: '/srv/vols/db1-back-vdb' },
  ]);
  // Flattened from the fetched top file of point 1 (its backing file beside it).
  const converts = w.images.converts.map((c) => c.source.replace(/\.remote-fetch-[0-9a-f]+/, 'F'));
  t.deepEqual(converts, ['/store/F/vda.1.qcow2', '/store/F/vdb.1.qcow2']);
  t.is(w.defined.length, 1);
  const xml = w.defined[0]!;
  t.true(xml.includes('<name>db1-back</name>'));
  t.false(xml.includes(DOMAIN));
  t.false(xml.includes('52:54:00:11:22:33'));
  t.true(xml.includes('/srv/vols/db1-back-vda'));
  t.deepEqual(w.started, [res.uuid]);
  t.deepEqual(w.outsideStore().sort(), ['/srv/vols/db1-back-vda', '/srv/vols/db1-back-vdb']);
});

test('remote restore --keep-macs keeps the MAC addresses', async (t) => {
  const w = await world(false);
  await w.svc.restore({ target: 'off', point: P2.id, as: 'db1-b', dir: '/srv/vols', keepMacs: true });
  t.true(w.defined[0]!.includes('52:54:00:11:22:33'));
  t.deepEqual(w.started, []);
});

test('remote restore into a pool', async (t) => {
  const w = await world();
  const pools = (w.svc as unknown as { deps: { pools: FakeStoragePools } }).deps.pools;
  pools.addPool('default', '/pool');
  const res = await w.svc.restore({ target: 'off', point: P0.id, as: 'db1-p', pool: 'default' });
  t.deepEqual(
    res.disks.map((d) => d.path),
    ['/pool/db1-p-vda', '/pool/db1-p-vdb'],
  );
  t.true(w.images.converts.every((c) => c.opts.targetExists === true));
});

test('remote restore: a tampered object fails with DATA_CORRUPT; nothing left behind, nothing defined', async (t) => {
  const w = await world();
  w.store.flipByte(remoteFileKey(HOST, DOMAIN, CHAIN, 'vdb', 0, true), 120);
  const e = await t.throwsAsync(w.svc.restore({ target: 'off', point: P2.id, as: 'x', dir: '/srv/vols' }));
  t.is((e as { code?: string }).code, 'DATA_CORRUPT');
  t.deepEqual(w.defined, []);
  t.deepEqual(w.outsideStore(), []);
});

test('remote restore: a failing define undoes the disks; a failing second disk undoes the first', async (t) => {
  const w = await world();
  const h = w.hv as unknown as { defineDomain: (xml: string) => Promise<never> };
  h.defineDomain = async () => {
    throw Object.assign(new Error('libvirt says no'), { code: 'LIBVIRT_ERROR' });
  };
  await t.throwsAsync(w.svc.restore({ target: 'off', point: P2.id, as: 'x', dir: '/srv/vols' }));
  t.deepEqual(w.outsideStore(), []);
  const w2 = await world();
  w2.images.failNext('convert', undefined, (p) => p.includes('x-vdb'));
  await t.throwsAsync(w2.svc.restore({ target: 'off', point: P2.id, as: 'x', dir: '/srv/vols' }));
  t.deepEqual(w2.outsideStore(), []);
  t.deepEqual(w2.defined, []);
});

test('remote restore: refused before anything is fetched (bad name, taken name, dir not allowed, unknown point, no XML)', async (t) => {
  const w = await world();
  const code = async (p: Promise<unknown>) => ((await t.throwsAsync(p)) as { code?: string }).code;
  t.is(
    await code(w.svc.restore({ target: 'off', point: P0.id, as: '-bad', dir: '/srv/vols' })),
    'INVALID_ARGUMENT',
  );
  t.is(await code(w.svc.restore({ target: 'off', point: P0.id, as: 'x', dir: '/etc' })), 'INVALID_ARGUMENT');
  t.is(await code(w.svc.restore({ target: 'off', point: P0.id, as: 'x' })), 'INVALID_ARGUMENT');
  t.is(
    await code(w.svc.restore({ target: 'nope', point: P0.id, as: 'x', dir: '/srv/vols' })),
    'TARGET_NOT_FOUND',
  );
  t.is(
    await code(w.svc.restore({ target: 'off', point: 'ffffffffffff', as: 'x', dir: '/srv/vols' })),
    'REMOTE_NOT_FOUND',
  );
  w.hv.addDomain({ name: 'taken', disks: [] });
  t.is(
    await code(w.svc.restore({ target: 'off', point: P0.id, as: 'taken', dir: '/srv/vols' })),
    'ALREADY_EXISTS',
  );
  const w2 = setup();
  const { store } = await w2.addTarget('off', false);
  await seed(store, [P0], null, null);
  const svc2 = new RemoteRestoreService({
    ...w2.deps,
    hypervisor: w.hv,
    imageTool: w2.images,
    pools: new FakeStoragePools(w2.fs, w2.images),
    allowedVolumeDirs: ['/srv/vols'],
  });
  t.is(await code(svc2.restore({ target: 'off', point: P0.id, as: 'y', dir: '/srv/vols' })), 'INVALID_STATE');
  t.false(w.store.calls.some((c) => c.startsWith('read ')));
});

test('remote restore of a detached volume’s point: INVALID_STATE naming the volume and volume create --from', async (t) => {
  const w = await world(false);
  const resource = {
    kind: 'volume',
    path: '/vols/data.qcow2',
    pool: null,
    volume: null,
    format: 'raw',
  } as const;
  const V = {
    id: 'b00000000000',
    chain: 'd0d0d0d0d0d0',
    seq: 0,
    createdAt: 1,
    domain: '99999999-8888-4777-8666-555555555555',
    resource,
  };
  await seed(w.store, [V], null, null);
  const e = await t.throwsAsync(w.svc.restore({ target: 'off', point: V.id, as: 'x', dir: '/srv/vols' }));
  t.is((e as { code?: string }).code, 'INVALID_STATE');
  t.regex(e!.message, /detached volume db1, not of a domain; restore it with volume create --from off/);
  t.deepEqual(w.defined, []);
});
