import test from 'ava';

import { run, startFakeApi } from './fake-api.js';

const status = {
  version: '0.1.0',
  libvirtConnected: true,
  queue: { queued: 0, running: 0 },
  storeRoot: '/var/lib/virtpoint/store',
  startedAt: '2026-12-01T10:00:00.000Z',
  store: { unknownFiles: 0, badManifests: 0, missingManifests: 0, scannedAt: null },
};

test('status shows the store’s free space and the catalog size; unknown when unreadable', async (t) => {
  const api = await startFakeApi(t, {
    'GET /v1/status': { body: { ...status, space: { storeFreeBytes: 5 * 1024 ** 3, catalogBytes: null } } },
  });
  const r = await run(api.socket, ['status']);
  t.is(r.code, 0);
  t.regex(r.stdout, /^store free +5\.0 GiB$/m);
  t.regex(r.stdout, /^catalog size +unknown$/m);
});
