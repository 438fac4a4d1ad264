import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import test from 'ava';

import { ApiClient, ndjson } from '../../../src/cli/client.js';
import { humanSize } from '../../../src/cli/output.js';
import { status } from './fixtures.js';
import { run, startFakeApi } from './fake-api.js';

const missing = () => join(mkdtempSync(join(tmpdir(), 'vpt-cli-')), 'nobody.sock');

test('no socket: exit 3, DAEMON_UNREACHABLE naming the socket and virtpointd', async (t) => {
  const socket = missing();
  const r = await run(socket, ['status']);
  t.is(r.code, 3);
  t.true(r.stderr.startsWith(`error: cannot reach virtpointd at ${socket} (ENOENT): start virtpointd`));
  t.regex(r.stderr, /\(DAEMON_UNREACHABLE\)\n$/);
  t.false(r.stderr.includes('    at '), 'no stack without --debug');
});

test('--debug prints the stack', async (t) => {
  const r = await run(missing(), ['domain', 'list', '--debug']);
  t.is(r.code, 3);
  t.regex(r.stderr, /\n {4}at /);
});

test('the socket comes from --socket, else VIRTPOINT_SOCKET, else the default', async (t) => {
  const api = await startFakeApi(t, { 'GET /v1/status': { body: status } });
  const env = await run(null, ['status', '--json'], { env: { VIRTPOINT_SOCKET: api.socket } });
  t.is(env.code, 0);
  t.deepEqual(JSON.parse(env.stdout), status);
  const flagWins = await run(null, ['status', '--socket', api.socket], {
    env: { VIRTPOINT_SOCKET: missing() },
  });
  t.is(flagWins.code, 0);
  // The default socket: whether a daemon answers there (a host set up by setup-host.sh) or not,
  // the output names it.
  const def = await run(null, ['status'], { env: {} });
  t.regex(def.stdout + def.stderr, /\/run\/virtpoint\/virtpoint\.sock/);
});

test('API errors: exit 1 with the body code; an unknown code or a non-JSON body is INTERNAL', async (t) => {
  const api = await startFakeApi(t, {
    'GET /v1/points/x': {
      status: 404,
      body: { error: { code: 'POINT_NOT_FOUND', message: 'no point "x"' } },
    },
    'GET /v1/points/y': { status: 500, body: { error: { code: 'WEIRD', message: 'odd' } } },
    'GET /v1/points/z': (_q, res) => res.writeHead(502).end('bad gateway'),
  });
  const x = await run(api.socket, ['point', 'show', 'x']);
  t.is(x.code, 1);
  t.is(x.stderr, 'error: no point "x" (POINT_NOT_FOUND)\n');
  t.is((await run(api.socket, ['point', 'show', 'y'])).stderr, 'error: odd [WEIRD] (INTERNAL)\n');
  t.is((await run(api.socket, ['point', 'show', 'z'])).stderr, 'error: HTTP 502: bad gateway (INTERNAL)\n');
});

test('usage errors: no command, unknown command, unknown flag → exit 2', async (t) => {
  for (const argv of [[], ['frobnicate'], ['point'], ['point', 'show'], ['status', '--nope']]) {
    const r = await run(missing(), argv);
    t.is(r.code, 2, argv.join(' '));
    t.regex(r.stderr, /^error: .+ \(INVALID_ARGUMENT\)\n/);
    t.is(r.stdout, '');
  }
});

test('--help and completion print on stdout, exit 0, without the daemon', async (t) => {
  const help = await run(null, ['--help']);
  t.is(help.code, 0);
  for (const cmd of [
    'status',
    'backup [domain]',
    'point <command>',
    'chain <command>',
    'job <command>',
    'usage',
  ]) {
    t.true(help.stdout.includes(`virtpoint ${cmd}`), cmd);
  }
  const jobHelp = await run(null, ['job', '--help']);
  t.regex(jobHelp.stdout, /virtpoint job delete \[id\]/);
  const c = await run(null, ['completion', 'bash']);
  t.is(c.code, 0);
  t.regex(c.stdout, /^complete -o default -F _virtpoint virtpoint$/m);
  // The shell is an argument (bash or zsh).
  t.is((await run(null, ['completion'])).code, 2);
});

test('ndjson reader: lines split across chunks, multibyte characters split across buffers', async (t) => {
  const text = Buffer.from('{"a":"é"}\n\n{"a":2}\n{"a":3}');
  async function* chunks() {
    yield text.subarray(0, 8); // cuts é in half
    yield text.subarray(8, 14);
    yield text.subarray(14);
  }
  const got: unknown[] = [];
  for await (const v of ndjson(chunks())) got.push(v);
  t.deepEqual(got, [{ a: 'é' }, { a: 2 }, { a: 3 }]);
});

test('client: 204 resolves to undefined; events of an unknown job throw its code', async (t) => {
  const api = await startFakeApi(t, {
    'DELETE /v1/jobs/b00000000001': { status: 204 },
    'GET /v1/jobs/nope/events': {
      status: 404,
      body: { error: { code: 'JOB_NOT_FOUND', message: 'no job' } },
    },
  });
  const client = new ApiClient(api.socket);
  t.is(await client.delete('/v1/jobs/b00000000001'), undefined);
  await t.throwsAsync(
    async () => {
      for await (const _ of client.jobEvents('nope')) t.fail();
    },
    { code: 'JOB_NOT_FOUND' } as never,
  );
});

test('humanSize', (t) => {
  t.is(humanSize(0), '0 B');
  t.is(humanSize(1023), '1023 B');
  t.is(humanSize(1536), '1.5 KiB');
  t.is(humanSize(250 * 1024 ** 2), '250 MiB');
  t.is(humanSize(null), '-');
});
