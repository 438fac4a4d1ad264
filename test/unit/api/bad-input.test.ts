import test from 'ava';

import { CHAIN1, POINT1 } from '../../fakes/fake-apis.js';
import { errorOf, startHarness, type Harness, type RequestOptions } from './helpers.js';

let h: Harness;
test.before(async () => {
  h = await startHarness();
});
test.after.always(async () => {
  await h.close();
});

interface Case {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  readonly opts?: RequestOptions;
  readonly status: number;
  readonly code: string;
  /** A word the message must contain (usually the field name). */
  readonly mentions?: string;
}

const backup = (body: unknown, mentions?: string): Omit<Case, 'name'> => ({
  method: 'POST',
  path: '/v1/backups',
  opts: { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } },
  status: 400,
  code: 'INVALID_ARGUMENT',
  ...(mentions === undefined ? {} : { mentions }),
});
const get = (path: string, mentions?: string): Omit<Case, 'name'> => ({
  method: 'GET',
  path,
  status: 400,
  code: 'INVALID_ARGUMENT',
  ...(mentions === undefined ? {} : { mentions }),
});
const raw = (body: string | Buffer, extra: Partial<Case> = {}): Omit<Case, 'name'> => ({
  method: 'POST',
  path: '/v1/backups',
  opts: { body, headers: { 'content-type': 'application/json' } },
  status: 400,
  code: 'INVALID_ARGUMENT',
  ...extra,
});

const MiB = 1024 * 1024;
const CASES: Case[] = [
  // bodies
  { name: 'bad JSON', ...raw('{"domain": "web"', { mentions: 'JSON' }) },
  { name: 'trailing garbage', ...raw('{"domain":"web"} x') },
  { name: 'not UTF-8', ...raw(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])) },
  { name: 'array body', ...backup([{ domain: 'web' }], 'object') },
  { name: 'string body', ...backup('web', 'object') },
  { name: 'null body', ...backup(null, 'object') },
  { name: 'number body', ...backup(42, 'object') },
  { name: 'empty body', ...raw('', { mentions: 'object' }) },
  {
    name: 'huge body (content-length)',
    ...raw(Buffer.alloc(MiB + 10, 0x20), { status: 413, code: 'BODY_TOO_LARGE' }),
  },
  {
    name: 'huge body (chunked, no length)',
    method: 'POST',
    path: '/v1/backups',
    opts: {
      body: Buffer.alloc(3 * MiB, 0x20),
      chunked: true,
      headers: { 'content-type': 'application/json' },
    },
    status: 413,
    code: 'BODY_TOO_LARGE',
  },
  {
    name: 'form content-type',
    method: 'POST',
    path: '/v1/backups',
    opts: { body: '{"domain":"web"}', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
    status: 400,
    code: 'INVALID_ARGUMENT',
    mentions: 'content-type',
  },
  { name: 'unknown field', ...backup({ domain: 'web', fulll: true }, 'fulll') },
  { name: 'prototype key', ...raw('{"domain":"web","__proto__":{"x":1}}', { mentions: '__proto__' }) },
  { name: 'missing domain', ...backup({ full: true }, 'domain') },
  { name: 'domain not a string', ...backup({ domain: 42 }, 'domain') },
  { name: 'domain empty', ...backup({ domain: '' }, 'domain') },
  { name: 'domain too long', ...backup({ domain: 'd'.repeat(256) }, 'domain') },
  { name: 'domain path-like', ...backup({ domain: '../etc/passwd' }, 'domain') },
  { name: 'domain with NUL', ...backup({ domain: 'web\u0000' }, 'domain') },
  { name: 'full as string', ...backup({ domain: 'web', full: 'true' }, 'full') },
  { name: 'chainLength negative', ...backup({ domain: 'web', chainLength: -1 }, 'chainLength') },
  { name: 'chainLength zero', ...backup({ domain: 'web', chainLength: 0 }, 'chainLength') },
  { name: 'chainLength float', ...backup({ domain: 'web', chainLength: 2.5 }, 'chainLength') },
  { name: 'chainLength huge', ...backup({ domain: 'web', chainLength: 1e300 }, 'chainLength') },
  { name: 'chainLength 31', ...backup({ domain: 'web', chainLength: 31 }, 'chainLength') },
  { name: 'chainLength string', ...backup({ domain: 'web', chainLength: '5' }, 'chainLength') },
  { name: 'quiesce bad enum', ...backup({ domain: 'web', quiesce: 'always' }, 'quiesce') },
  { name: 'disks not array', ...backup({ domain: 'web', disks: 'vda' }, 'disks') },
  { name: 'disks empty', ...backup({ domain: 'web', disks: [] }, 'disks') },
  {
    name: 'disks too many',
    ...backup({ domain: 'web', disks: Array.from({ length: 65 }, (_, i) => `vd${i}`) }, 'disks'),
  },
  { name: 'disk path-like', ...backup({ domain: 'web', disks: ['../vda'] }, 'disks[0]') },
  { name: 'disk not string', ...backup({ domain: 'web', disks: ['vda', 7] }, 'disks[1]') },
  { name: 'disk listed twice', ...backup({ domain: 'web', disks: ['vda', 'vda'] }, 'twice') },
  { name: 'name path-like', ...backup({ domain: 'web', name: '../../x' }, 'name') },
  { name: 'name with space', ...backup({ domain: 'web', name: 'a b' }, 'name') },
  { name: 'name too long', ...backup({ domain: 'web', name: 'n'.repeat(256) }, 'name') },
  { name: 'name not string', ...backup({ domain: 'web', name: ['x'] }, 'name') },
  {
    name: 'body on a route that takes none',
    method: 'POST',
    path: '/v1/jobs/b00000000003/cancel',
    opts: { body: { force: true } },
    status: 400,
    code: 'INVALID_ARGUMENT',
    mentions: 'force',
  },
  // ids in paths
  { name: 'point id ..', ...get('/v1/points/..', 'neither a point id nor') },
  { name: 'point id %2e%2e', ...get('/v1/points/%2e%2e', 'neither a point id nor') },
  { name: 'point id with encoded slash', ...get('/v1/points/..%2Fx', 'neither a point id nor') },
  { name: 'point name with a space', ...get('/v1/points/a%20b', 'neither a point id nor') },
  { name: 'point name too long', ...get(`/v1/points/${'a'.repeat(256)}`, 'neither a point id nor') },
  { name: 'job id bad', ...get('/v1/jobs/zzz', 'job id') },
  { name: 'job events id bad', ...get('/v1/jobs/..%2f..%2fetc/events', 'job id') },
  { name: 'chain id bad', ...get('/v1/chains/%00', 'chain id') },
  { name: 'bad percent-encoding', ...get('/v1/points/%zz', 'percent') },
  { name: 'domain ref %2e%2e', ...get('/v1/domains/%2e%2e', 'domain') },
  { name: 'domain ref encoded slash', ...get('/v1/domains/a%2Fb', 'domain') },
  // query strings
  { name: 'unknown query param', ...get('/v1/points?color=red', 'color') },
  { name: 'query param on a route without', ...get('/v1/status?verbose=1', 'verbose') },
  { name: 'repeated query param', ...get('/v1/points?state=available&state=error', 'state') },
  { name: 'empty query value', ...get('/v1/points?state=', 'state') },
  { name: 'bad point state', ...get('/v1/points?state=broken', 'state') },
  { name: 'bad chain filter', ...get('/v1/points?chain=../x', 'chain') },
  { name: 'bad orphaned filter', ...get('/v1/points?orphaned=yes', 'orphaned') },
  { name: 'bad points since', ...get('/v1/points?since=yesterday', 'since') },
  { name: 'points until before since', ...get('/v1/points?since=2025-02-01&until=2025-01-01', 'since') },
  { name: 'points name too long', ...get(`/v1/points?name=${'a'.repeat(256)}`, 'name') },
  { name: 'bad job state', ...get('/v1/jobs?state=done', 'state') },
  { name: 'bad job type', ...get('/v1/jobs?type=backupz', 'type') },
  { name: 'bad trigger', ...get('/v1/jobs?trigger=cron', 'trigger') },
  { name: 'bad since window', ...get('/v1/jobs?since=12h', 'since') },
  { name: 'bad since', ...get('/v1/jobs?since=yesterday', 'since') },
  { name: 'impossible date', ...get('/v1/jobs?since=2025-02-30', 'since') },
  { name: 'bad until', ...get('/v1/jobs?until=7d', 'until') },
  { name: 'since after until', ...get('/v1/jobs?since=2025-03-01&until=2025-02-01', 'since') },
  { name: 'limit zero', ...get('/v1/jobs?limit=0', 'limit') },
  { name: 'limit negative', ...get('/v1/jobs?limit=-5', 'limit') },
  { name: 'limit float', ...get('/v1/jobs?limit=1.5', 'limit') },
  { name: 'limit huge', ...get('/v1/jobs?limit=10001', 'limit') },
  { name: 'limit exponent', ...get('/v1/jobs?limit=1e3', 'limit') },
  {
    name: 'cascade not boolean',
    ...{ ...get(`/v1/points/${POINT1}?cascade=yes`, 'cascade'), method: 'DELETE' },
  },
  { name: 'delete jobs without state', ...{ ...get('/v1/jobs', 'state=failed'), method: 'DELETE' } },
  {
    name: 'delete jobs state succeeded',
    ...{ ...get('/v1/jobs?state=succeeded', 'state'), method: 'DELETE' },
  },
  {
    name: 'delete jobs before not a time',
    ...{ ...get('/v1/jobs?before=yesterday', 'before'), method: 'DELETE' },
  },
  { name: 'usage domain too long', ...get(`/v1/usage?domain=${'x'.repeat(300)}`, 'domain') },
  { name: 'chains unknown param', ...get(`/v1/chains?chain=${CHAIN1}`, 'chain') },
];

test.serial(`${CASES.length} bad inputs → coded errors, no API called, server still answers`, async (t) => {
  t.true(CASES.length >= 30);
  for (const c of CASES) {
    const before = h.fakes.calls.length;
    const r = await h.req(c.method, c.path, c.opts);
    t.is(r.status, c.status, c.name);
    t.regex(String(r.headers['content-type']), /^application\/json/, c.name);
    const error = errorOf(r);
    t.is(error.code, c.code, c.name);
    t.is(typeof error.message, 'string', c.name);
    if (c.mentions !== undefined)
      t.true(String(error.message).includes(c.mentions), `${c.name}: ${String(error.message)}`);
    t.is(h.fakes.calls.length, before, `${c.name}: no API may be called`);
    const alive = await h.req('GET', '/v1/status');
    t.is(alive.status, 200, `${c.name}: server still answers`);
  }
});

test.serial('a valid request after the bad ones still works', async (t) => {
  const r = await h.req('POST', '/v1/backups', { body: { domain: 'web' } });
  t.is(r.status, 202);
});

test.serial('a body of exactly the limit is accepted; one byte more is 413', async (t) => {
  const json = '{"domain":"web"}';
  const atLimit = json + ' '.repeat(1024 * 1024 - json.length);
  t.is((await h.req('POST', '/v1/backups', { body: atLimit })).status, 202);
  const over = await h.req('POST', '/v1/backups', { body: atLimit + ' ' });
  t.is(over.status, 413);
  t.is(over.headers.connection, 'close');
});
