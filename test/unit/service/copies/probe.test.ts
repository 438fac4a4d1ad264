import test from 'ava';

import { SqliteCatalog } from '../../../../src/adapters/sqlite/sqlite-catalog.js';
import { VirtpointError } from '../../../../src/core/errors.js';
import { probeTarget } from '../../../../src/service/copies/probe.js';
import { FakeClock } from '../../../fakes/fake-host.js';
import { FakeTarget } from '../../../helpers/fake-target.js';

function setup() {
  const catalog = new SqliteCatalog({ path: ':memory:' });
  catalog.copies.addTarget({
    name: 'nas',
    config: { kind: 'ssh', user: 'u', host: 'nas', port: 22, path: '/srv' },
    keyId: null,
    bwlimit: null,
    retention: 'forever',
  });
  const store = new FakeTarget();
  const clock = new FakeClock();
  clock.step = 10;
  return { deps: { catalog, clock, stores: { open: () => Promise.resolve(store) } }, store };
}

test('target test: head, put, get, delete, head of one random probe key; times and rates; nothing left', async (t) => {
  const { deps, store } = setup();
  const v = await probeTarget(deps, 'nas', 1000);
  t.regex(v.key, /^probe\/[0-9a-f]{12}$/);
  t.deepEqual(store.calls, [
    `head ${v.key}`,
    `put ${v.key}`,
    `get ${v.key}`,
    `delete ${v.key}`,
    `head ${v.key}`,
  ]);
  t.like(v, { target: 'nas', bytes: 1000, latencyMs: 10, writeMs: 10, readMs: 10, deleteMs: 10 });
  t.is(v.writeBytesPerSecond, 100_000);
  t.is(store.objects.size, 0);
  t.true(store.closed);
});

test('a probe read back with other bytes is DATA_CORRUPT, and the probe is still deleted', async (t) => {
  const { deps, store } = setup();
  store.failOn = (call) => {
    if (call.startsWith('get ')) store.flipByte(call.slice(4), 3);
  };
  const e = await t.throwsAsync(probeTarget(deps, 'nas', 100));
  t.is((e as VirtpointError).code, 'DATA_CORRUPT');
  t.is(store.objects.size, 0);
  t.true(store.calls.some((c) => c.startsWith('delete probe/')));
});

test('a failed write is the adapter’s error; an unknown target is TARGET_NOT_FOUND', async (t) => {
  const { deps, store } = setup();
  store.failOn = (call) => {
    if (call.startsWith('put ')) throw new VirtpointError('TARGET_AUTH_FAILED', 'refused');
  };
  t.is(((await t.throwsAsync(probeTarget(deps, 'nas'))) as VirtpointError).code, 'TARGET_AUTH_FAILED');
  t.true(store.closed);
  t.is(((await t.throwsAsync(probeTarget(deps, 'other'))) as VirtpointError).code, 'TARGET_NOT_FOUND');
});
