import test from 'ava';

import type {
  RemoteListResult,
  RemoteRestoreResult,
  RemoteVerifyResult,
} from '../../../../src/contract/index.js';
import { job } from '../fixtures.js';
import { events, run, startFakeApi } from '../fake-api.js';

const point = {
  pointId: 'a00000000001',
  name: 'p1',
  hostId: 'a1b2c3d4e5f6',
  hostName: 'kvm1',
  domainUuid: '11111111-2222-4333-8444-555555555555',
  domainName: 'db1',
  volume: false,
  chainId: 'c0c0c0c0c0c0',
  seq: 1,
  kind: 'incremental' as const,
  parentId: 'a00000000000',
  createdAt: '2026-01-01T00:00:00.000Z',
  disks: ['vda'],
  encrypted: true,
  complete: false,
  missing: ['k1'],
  bytes: 10,
};

test('remote list: a table of the points with completeness; the filters go as query parameters', async (t) => {
  const list: RemoteListResult = {
    target: 'off',
    points: [point],
    unreadable: [{ key: 'k2', code: 'DATA_CORRUPT', message: 'bad' }],
  };
  const api = await startFakeApi(t, {
    'GET /v1/targets/off/points': { status: 200, body: list },
  });
  const r = await run(api.socket, ['remote', 'list', 'off', '--domain', 'db1', '--host', 'kvm1']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^POINT\s+DOMAIN\s+HOST\s+CHAIN\s+SEQ\s+KIND\s+CREATED\s+COMPLETE/);
  t.regex(r.stdout, /a00000000001\s+db1\s+kvm1\s+c0c0c0c0c0c0\s+1\s+incremental\s+\S+\s+no \(1 missing\)/);
  t.regex(r.stderr, /warning: k2: bad \(DATA_CORRUPT\)/);
  t.deepEqual(api.requests[0]!.query, { domain: 'db1', host: 'kvm1' });
});

test('remote list: a detached volume’s point shows as volume LABEL', async (t) => {
  const vol = { ...point, domainName: 'default/data.qcow2', volume: true, disks: ['vol'] };
  const list: RemoteListResult = { target: 'off', points: [vol], unreadable: [] };
  const api = await startFakeApi(t, { 'GET /v1/targets/off/points': { status: 200, body: list } });
  const r = await run(api.socket, ['remote', 'list', 'off']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /a00000000001\s+volume default\/data\.qcow2\s+kvm1/);
});

test('remote verify: a mismatch exits 1 and names the file', async (t) => {
  const res: RemoteVerifyResult = {
    target: 'off',
    ok: false,
    points: [
      {
        pointId: 'a00000000001',
        domainName: 'db1',
        chainId: 'c0c0c0c0c0c0',
        seq: 1,
        ok: false,
        files: [{ key: 'k1', state: 'mismatch', detail: 'DATA_CORRUPT: x' }],
      },
    ],
  };
  const api = await startFakeApi(t, { 'POST /v1/targets/off/verify': { status: 200, body: res } });
  const r = await run(api.socket, ['remote', 'verify', 'off', '--point', 'a00000000001']);
  t.is(r.code, 1);
  t.regex(r.stdout, /MISMATCH\n {2}mismatch {2}k1: DATA_CORRUPT: x/);
});

test('remote restore: queues the job, waits, prints the new domain', async (t) => {
  const result: RemoteRestoreResult = {
    name: 'db1-b',
    uuid: 'u1',
    pointId: 'a00000000001',
    disks: [{ target: 'vda', path: '/srv/db1-b-vda' }],
    leftOut: [],
    warnings: [],
    started: true,
  };
  const api = await startFakeApi(t, {
    'POST /v1/remote-restores': { status: 202, body: job({ type: 'remote-restore' }) },
    'GET /v1/jobs/b00000000001/events': events([
      job({ type: 'remote-restore' }),
      job({ type: 'remote-restore', state: 'succeeded', result }),
    ]),
  });
  const r = await run(api.socket, [
    'remote',
    'restore',
    'off',
    '--point',
    'a00000000001',
    '--as',
    'db1-b',
    '--dir',
    '/srv',
    '--start',
  ]);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /domain\s+db1-b \(u1\)/);
  t.regex(r.stdout, /vda → \/srv\/db1-b-vda/);
  t.deepEqual(api.requests.find((q) => q.path === '/v1/remote-restores')?.body, {
    target: 'off',
    point: 'a00000000001',
    as: 'db1-b',
    dir: '/srv',
    start: true,
  });
});
