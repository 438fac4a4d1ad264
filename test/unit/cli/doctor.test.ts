import test from 'ava';

import { run, startFakeApi } from './fake-api.js';

const store = { unknown: [], badManifests: [], missingManifests: [], leftovers: [] };

test('doctor prints each preflight check with its status; a failing check exits 1', async (t) => {
  const checks = [
    { name: 'libvirt', status: 'ok', message: 'libvirt 9.0.0' },
    {
      name: 'store-access',
      status: 'fail',
      message: '/srv/private (mode 0700) blocks the QEMU user libvirt-qemu from /srv/private/vp/store',
    },
    { name: 'agent:web1', status: 'warn', message: 'the guest agent of web1 does not answer' },
  ];
  const api = await startFakeApi(t, {
    'GET /v1/doctor': { body: { ok: false, catalog: { empty: false, backups: [] }, store, checks } },
  });
  const r = await run(api.socket, ['doctor']);
  t.is(r.code, 1);
  t.regex(r.stdout, /^ok {4}libvirt: libvirt 9\.0\.0$/m);
  t.regex(r.stdout, /^fail {2}store-access: \/srv\/private \(mode 0700\) blocks/m);
  t.regex(r.stdout, /^warn {2}agent:web1: /m);
  t.notRegex(r.stdout, /^ok: /m);
});

test('doctor --json carries the checks as the API gave them', async (t) => {
  const checks = [{ name: 'clock', status: 'ok', message: 'time zone UTC' }];
  const api = await startFakeApi(t, {
    'GET /v1/doctor': { body: { ok: true, catalog: { empty: false, backups: [] }, store, checks } },
  });
  const r = await run(api.socket, ['doctor', '--json']);
  t.is(r.code, 0);
  t.deepEqual((JSON.parse(r.stdout) as { checks: unknown }).checks, checks);
});
