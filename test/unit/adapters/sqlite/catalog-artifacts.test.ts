import test from 'ava';

import { memoryCatalog, newPoint, U1 } from './_catalog.js';

function chainWithPoints(n: number) {
  const { catalog } = memoryCatalog();
  catalog.upsertDomain({ uuid: U1, name: 'web' });
  const chain = catalog.createChain({ domainUuid: U1, diskSet: ['vda', 'vdb'] });
  const ids: string[] = [];
  for (let seq = 0; seq < n; seq++) {
    const p = catalog.createPoint(newPoint(U1, chain.id, seq));
    catalog.updatePointState(p.id, 'available');
    ids.push(p.id);
  }
  return { catalog, chain, ids };
}

const img = (name: string, pointId: string, linked: boolean) => ({
  name,
  pointId,
  disk: 'vda',
  path: `/var/lib/virtpoint/images/${name}`,
  linked,
});

test('volumes: create, get, list, delete; the path is unique', (t) => {
  const { catalog, ids } = chainWithPoints(1);
  const input = {
    name: 'data1',
    pointId: ids[0]!,
    disk: 'vdb',
    location: { kind: 'pool' as const, pool: 'default' },
    path: '/var/lib/libvirt/images/data1',
    format: 'qcow2' as const,
  };
  const v = catalog.artifacts.createVolume(input);
  t.like(v, { ...input, location: { kind: 'pool', pool: 'default' } });
  t.regex(v.id, /^[0-9a-f]{12}$/);
  t.deepEqual(catalog.artifacts.getVolume(v.id), v);
  t.throws(() => catalog.artifacts.createVolume(input), { code: 'ALREADY_EXISTS' });
  const d = catalog.artifacts.createVolume({
    ...input,
    name: 'd2',
    location: { kind: 'dir', dir: '/srv' },
    path: '/srv/d2',
  });
  t.deepEqual(d.location, { kind: 'dir', dir: '/srv' });
  t.deepEqual(
    catalog.artifacts.listVolumes().map((x) => x.name),
    ['data1', 'd2'],
  );
  t.deepEqual(catalog.artifacts.listVolumes({ pointId: 'ffffffffffff' }), []);
  catalog.artifacts.deleteVolume(v.id);
  t.is(catalog.artifacts.getVolume(v.id), null);
  t.throws(() => catalog.artifacts.deleteVolume(v.id), { code: 'VOLUME_NOT_FOUND' });
});

test('volumes keep their point id after the point is deleted (history)', (t) => {
  const { catalog, ids, chain } = chainWithPoints(1);
  const v = catalog.artifacts.createVolume({
    name: 'x',
    pointId: ids[0]!,
    disk: 'vda',
    location: { kind: 'dir', dir: '/srv' },
    path: '/srv/x',
    format: 'raw',
  });
  catalog.deleteChain(chain.id);
  t.is(catalog.artifacts.getVolume(v.id)?.pointId, ids[0]);
});

test('images: create, get, list by name, unique names, delete', (t) => {
  const { catalog, ids } = chainWithPoints(1);
  const b = catalog.artifacts.createImage(img('b', ids[0]!, true));
  t.like(b, { name: 'b', linked: true, pointId: ids[0] });
  catalog.artifacts.createImage(img('a', ids[0]!, false));
  t.deepEqual(
    catalog.artifacts.listImages().map((i) => [i.name, i.linked]),
    [
      ['a', false],
      ['b', true],
    ],
  );
  t.throws(() => catalog.artifacts.createImage({ ...img('a', ids[0]!, false), path: '/other' }), {
    code: 'ALREADY_EXISTS',
  });
  catalog.artifacts.deleteImage('a');
  t.is(catalog.artifacts.getImage('a'), null);
  t.throws(() => catalog.artifacts.deleteImage('a'), { code: 'NOT_FOUND' });
});

test('pointProtections: a linked image protects its point and the ancestors in its backing chain; a full image its own point only', (t) => {
  const { catalog, ids } = chainWithPoints(5);
  const [p0, p1, p2, p3, p4] = ids as [string, string, string, string, string];
  catalog.artifacts.createImage(img('on2', p2, true));
  catalog.artifacts.createImage(img('full-on3', p3, false));
  t.deepEqual(catalog.artifacts.pointProtections(p0), ['on2']);
  t.deepEqual(catalog.artifacts.pointProtections(p1), ['on2']);
  t.deepEqual(catalog.artifacts.pointProtections(p2), ['on2']);
  t.deepEqual(
    catalog.artifacts.pointProtections(p3),
    ['full-on3'],
    'a full (flattened) image protects the point it was made from',
  );
  t.deepEqual(catalog.artifacts.pointProtections(p4), [], 'a later point is not protected');
  t.deepEqual(catalog.artifacts.pointProtections(p2), ['on2'], 'a full image protects no ancestor');
  catalog.artifacts.createImage(img('on4', p4, true));
  t.deepEqual(catalog.artifacts.pointProtections(p1), ['on2', 'on4']);
  t.deepEqual(catalog.artifacts.pointProtections(p3), ['full-on3', 'on4']);
  catalog.artifacts.deleteImage('on2');
  catalog.artifacts.deleteImage('on4');
  t.deepEqual(catalog.artifacts.pointProtections(p0), []);
  t.deepEqual(catalog.artifacts.pointProtections(p3), ['full-on3']);
  catalog.artifacts.deleteImage('full-on3');
  t.deepEqual(catalog.artifacts.pointProtections(p3), []);
});

test('pointProtections: a failed (error) point before the image is not in its backing chain', (t) => {
  const { catalog, chain, ids } = chainWithPoints(2);
  const failed = catalog.createPoint(newPoint(U1, chain.id, 2));
  catalog.setPointError(failed.id, { code: 'JOB_FAILED', message: 'x' });
  const p3 = catalog.createPoint(newPoint(U1, chain.id, 3));
  catalog.updatePointState(p3.id, 'available');
  catalog.artifacts.createImage(img('on3', p3.id, true));
  t.deepEqual(catalog.artifacts.pointProtections(failed.id), []);
  t.deepEqual(catalog.artifacts.pointProtections(ids[1]!), ['on3']);
  t.deepEqual(catalog.artifacts.pointProtections(p3.id), ['on3']);
});

test('pointProtections: other chains are not affected', (t) => {
  const { catalog, chain, ids } = chainWithPoints(2);
  catalog.artifacts.createImage(img('on1', ids[1]!, true));
  const other = catalog.createChain({ domainUuid: U1, diskSet: ['vda'] });
  const q = catalog.createPoint(newPoint(U1, other.id, 0, {}, ['vda']));
  t.deepEqual(catalog.artifacts.pointProtections(q.id), []);
  t.deepEqual(catalog.artifacts.pointProtections(ids[0]!), ['on1']);
  t.not(other.id, chain.id);
});
