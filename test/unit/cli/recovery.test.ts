import test from 'ava';

import { run, startFakeApi } from './fake-api.js';

test('catalog rebuild: POSTs and prints what came back and what was skipped', async (t) => {
  const api = await startFakeApi(t, {
    'POST /v1/catalog/rebuild': {
      body: {
        domains: 1,
        chains: 1,
        points: ['a', 'b'],
        skipped: [{ path: 'u/c/2.manifest.json', reason: 'missing files: vda.2.qcow2' }],
      },
    },
  });
  const r = await run(api.socket, ['catalog', 'rebuild']);
  t.is(r.code, 0);
  t.regex(r.stdout, /^rebuilt 2 point\(s\) in 1 chain\(s\) of 1 domain\(s\)/m);
  t.regex(r.stdout, /^skipped u\/c\/2\.manifest\.json: missing files: vda\.2\.qcow2$/m);
  t.is(api.requests[0]?.method, 'POST');
});

test('catalog rebuild refused: the error and its code, exit 1', async (t) => {
  const api = await startFakeApi(t, {
    'POST /v1/catalog/rebuild': {
      status: 409,
      body: { error: { code: 'INVALID_STATE', message: 'the catalog already holds chains or points' } },
    },
  });
  const r = await run(api.socket, ['catalog', 'rebuild']);
  t.is(r.code, 1);
  t.regex(r.stderr, /already holds.*\(INVALID_STATE\)/);
});

test('doctor: unknown files are listed as left in place, exit 1; all well exits 0', async (t) => {
  const bad = {
    ok: false,
    catalog: { empty: true, backups: [] },
    store: {
      unknown: [{ path: 'u/c/vda.0.qcow2', reason: 'no point of this catalog refers to it' }],
      badManifests: [],
      missingManifests: [],
      leftovers: [],
    },
  };
  const api = await startFakeApi(t, { 'GET /v1/doctor': { body: bad } });
  const r = await run(api.socket, ['doctor']);
  t.is(r.code, 1);
  t.regex(r.stdout, /unknown u\/c\/vda\.0\.qcow2: no point of this catalog refers to it \(left in place\)/);
  t.regex(r.stdout, /virtpoint catalog rebuild/);
  const good = await startFakeApi(t, {
    'GET /v1/doctor': {
      body: {
        ...bad,
        ok: true,
        catalog: { empty: false, backups: ['catalog-2026-01-01.db'] },
        store: { ...bad.store, unknown: [] },
      },
    },
  });
  const ok = await run(good.socket, ['doctor']);
  t.is(ok.code, 0);
  t.regex(ok.stdout, /backups: catalog-2026-01-01\.db/);
});
