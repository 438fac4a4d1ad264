import test from 'ava';
import type { DoctorView, RebuildView } from '../../../src/contract/index.js';
import { RecoveryService } from '../../../src/service/recovery/api.js';
import { FakeApis } from '../../fakes/fake-apis.js';
import { storeWithPoints } from '../service/recovery/_recovery.js';
import { errorOf, startHarness } from './helpers.js';

test('POST /v1/catalog/rebuild fills an empty catalog once; GET /v1/doctor then reports all well', async (t) => {
  const h = await storeWithPoints();
  const deps = h.withEmptyCatalog();
  const recovery = new RecoveryService(deps);
  const fakes = new FakeApis();
  fakes.recovery = recovery;
  const api = await startHarness({ fakes });
  t.teardown(api.close);

  const before = await api.req('GET', '/v1/doctor');
  t.is(before.status, 200);
  const d0 = before.json as DoctorView;
  t.false(d0.ok);
  t.true(d0.catalog.empty);
  t.is(d0.store.unknown.length, 9);
  t.is(recovery.storeStatus().unknownFiles, 9, 'status counts follow the last scan');

  const r = await api.req('POST', '/v1/catalog/rebuild');
  t.is(r.status, 200);
  t.deepEqual(
    (r.json as RebuildView).points,
    h.points.map((p) => p.id),
  );
  const again = await api.req('POST', '/v1/catalog/rebuild');
  t.is(again.status, 409);
  t.is(errorOf(again).code, 'INVALID_STATE');
  const after = (await api.req('GET', '/v1/doctor')).json as DoctorView;
  t.true(after.ok);
  t.deepEqual(after.store.unknown, []);
  t.is((await api.req('GET', '/v1/doctor?x=1')).status, 400);
});
