import test from 'ava';
import { withDaemon } from '../../helpers/daemon.js';

// Bad input against the real daemon: a coded error, nothing changes, and the daemon still answers.

const cases: [string, string, string | Buffer | undefined, number, string][] = [
  ['POST', '/v1/backups', '{', 400, 'INVALID_ARGUMENT'],
  ['POST', '/v1/backups', '[]', 400, 'INVALID_ARGUMENT'],
  ['POST', '/v1/backups', '"vm"', 400, 'INVALID_ARGUMENT'],
  ['POST', '/v1/backups', 'null', 400, 'INVALID_ARGUMENT'],
  ['POST', '/v1/backups', '{}', 400, 'INVALID_ARGUMENT'],
  ['POST', '/v1/backups', JSON.stringify({ domain: 'x', extra: 1 }), 400, 'INVALID_ARGUMENT'],
  ['POST', '/v1/backups', JSON.stringify({ domain: 42 }), 400, 'INVALID_ARGUMENT'],
  ['POST', '/v1/backups', JSON.stringify({ domain: '' }), 400, 'INVALID_ARGUMENT'],
  ['POST', '/v1/backups', JSON.stringify({ domain: 'vpt-none-at-all' }), 404, 'DOMAIN_NOT_FOUND'],
  ['POST', '/v1/backups', JSON.stringify({ domain: 'x', chainLength: -1 }), 400, 'INVALID_ARGUMENT'],
  ['POST', '/v1/backups', JSON.stringify({ domain: 'x', chainLength: 0 }), 400, 'INVALID_ARGUMENT'],
  ['POST', '/v1/backups', JSON.stringify({ domain: 'x', chainLength: 31 }), 400, 'INVALID_ARGUMENT'],
  ['POST', '/v1/backups', JSON.stringify({ domain: 'x', chainLength: 2.5 }), 400, 'INVALID_ARGUMENT'],
  ['POST', '/v1/backups', JSON.stringify({ domain: 'x', chainLength: '3' }), 400, 'INVALID_ARGUMENT'],
  ['POST', '/v1/backups', JSON.stringify({ domain: 'x', chainLength: 1e300 }), 400, 'INVALID_ARGUMENT'],
  ['POST', '/v1/backups', JSON.stringify({ domain: 'x', full: 'yes' }), 400, 'INVALID_ARGUMENT'],
  ['POST', '/v1/backups', JSON.stringify({ domain: 'x', quiesce: 'maybe' }), 400, 'INVALID_ARGUMENT'],
  ['POST', '/v1/backups', JSON.stringify({ domain: 'x', disks: 'vda' }), 400, 'INVALID_ARGUMENT'],
  ['POST', '/v1/backups', JSON.stringify({ domain: 'x', disks: [] }), 400, 'INVALID_ARGUMENT'],
  ['POST', '/v1/backups', JSON.stringify({ domain: 'x', disks: ['../etc'] }), 400, 'INVALID_ARGUMENT'],
  ['POST', '/v1/backups', JSON.stringify({ domain: 'x', name: '../../etc/passwd' }), 400, 'INVALID_ARGUMENT'],
  ['POST', '/v1/backups', JSON.stringify({ domain: 'x', name: 'a b' }), 400, 'INVALID_ARGUMENT'],
  ['POST', '/v1/backups', JSON.stringify({ domain: 'x', name: 'x'.repeat(256) }), 400, 'INVALID_ARGUMENT'],
  ['POST', '/v1/backups', JSON.stringify({ domain: 'x', name: '' }), 400, 'INVALID_ARGUMENT'],
  ['POST', '/v1/backups', Buffer.alloc(2 * 1024 * 1024, 0x20), 413, 'BODY_TOO_LARGE'],
  ['GET', '/v1/points/..%2F..%2Fetc', undefined, 400, 'INVALID_ARGUMENT'],
  ['GET', '/v1/points/%2e%2e', undefined, 400, 'INVALID_ARGUMENT'],
  ['GET', '/v1/points/000000000000', undefined, 404, 'POINT_NOT_FOUND'],
  ['GET', '/v1/points?state=bogus', undefined, 400, 'INVALID_ARGUMENT'],
  ['GET', '/v1/points?color=red', undefined, 400, 'INVALID_ARGUMENT'],
  ['GET', '/v1/jobs?since=yesterday', undefined, 400, 'INVALID_ARGUMENT'],
  ['GET', '/v1/jobs?limit=-5', undefined, 400, 'INVALID_ARGUMENT'],
  ['GET', '/v1/jobs?type=reboot', undefined, 400, 'INVALID_ARGUMENT'],
  ['GET', '/v1/jobs/zzzzzzzzzzzz', undefined, 400, 'INVALID_ARGUMENT'],
  ['POST', '/v1/jobs/000000000000/cancel', undefined, 404, 'JOB_NOT_FOUND'],
  ['DELETE', '/v1/jobs', undefined, 400, 'INVALID_ARGUMENT'],
  ['DELETE', '/v1/chains/000000000000', undefined, 404, 'CHAIN_NOT_FOUND'],
  ['PUT', '/v1/points', undefined, 405, 'METHOD_NOT_ALLOWED'],
  ['GET', '/v1/nothing-here', undefined, 404, 'NOT_FOUND'],
  ['GET', '/v2/status', undefined, 404, 'NOT_FOUND'],
];

test(`${cases.length} bad requests get coded errors; nothing is created; the daemon still answers`, async (t) => {
  const d = await withDaemon(t);
  for (const [method, path, body, status, code] of cases) {
    const label = `${method} ${path} ${body === undefined ? '' : String(body).slice(0, 40)}`;
    const res = await d.http(method, path, body);
    t.is(res.status, status, label);
    const parsed = JSON.parse(res.body) as { error?: { code: string; message: string } };
    t.is(parsed.error?.code, code, label);
    t.true((parsed.error?.message.length ?? 0) > 5, `${label}: a message an operator can act on`);
  }
  t.is((await d.http('GET', '/v1/status')).status, 200);
  t.deepEqual(JSON.parse((await d.http('GET', '/v1/jobs')).body), [], 'no job was created');
  t.deepEqual(JSON.parse((await d.http('GET', '/v1/points')).body), []);
});

test('the CLI turns bad arguments into usage errors (exit 2) and API errors into exit 1 with the code', async (t) => {
  const d = await withDaemon(t);
  const usage: string[][] = [
    ['backup'],
    ['backup', 'vm', '--chain-length', '0'],
    ['backup', 'vm', '--chain-length', 'ten'],
    ['backup', 'vm', '--quiesce', 'sometimes'],
    ['job', 'list', '--since', 'last week'],
    ['point', 'frobnicate'],
    ['job', 'delete'],
  ];
  for (const args of usage) t.is((await d.cli(args)).code, 2, args.join(' '));
  const missing = await d.cli(['backup', 'vpt-none-at-all']);
  t.is(missing.code, 1);
  t.regex(missing.stderr, /DOMAIN_NOT_FOUND/);
  const unreachable = await d.cli(['status', '--socket', '/nonexistent/virtpoint.sock']);
  t.is(unreachable.code, 3);
  t.regex(unreachable.stderr, /DAEMON_UNREACHABLE/);
  t.is((await d.cli(['status'])).code, 0);
});
