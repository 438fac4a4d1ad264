import test from 'ava';

import { backupRun, job, a00000000002 } from './fixtures.js';
import { events, run, startFakeApi, type Answer } from './fake-api.js';

function backupRoutes(end?: Parameters<typeof backupRun>[0]): Record<string, Answer> {
  return {
    'POST /v1/backups': { status: 202, body: job() },
    'GET /v1/jobs/b00000000001/events': events(backupRun(end)),
    'GET /v1/points/a00000000002': { body: a00000000002 },
  };
}

test('backup waits through the NDJSON events, prints plain progress lines off a TTY, then the point', async (t) => {
  const api = await startFakeApi(t, backupRoutes());
  const r = await run(api.socket, [
    'backup',
    'web',
    '--disk',
    'vda',
    '--disk',
    'vdb',
    '--full',
    '--name',
    'n1',
  ]);
  t.is(r.code, 0, r.stderr);
  t.deepEqual(api.requests[0]?.body, { domain: 'web', disks: ['vda', 'vdb'], full: true, name: 'n1' });
  t.deepEqual(
    api.requests.map((q) => `${q.method} ${q.path}`),
    ['POST /v1/backups', 'GET /v1/jobs/b00000000001/events', 'GET /v1/points/a00000000002'],
  );
  const lines = r.stderr.trimEnd().split('\n');
  t.is(lines[0], 'backup of web (job b00000000001): queued, waiting for its turn');
  t.regex(r.stderr, /^backup of web \(job b00000000001\): running +0% +0 B \/ 4\.0 GiB$/m);
  t.regex(r.stderr, /^backup of web \(job b00000000001\): running +25% +1\.0 GiB \/ 4\.0 GiB/m);
  t.regex(r.stderr, /^backup of web \(job b00000000001\): running +75% +3\.0 GiB \/ 4\.0 GiB/m);
  t.regex(lines.at(-1) ?? '', /^backup of web \(job b00000000001\): succeeded +100% +4\.0 GiB \/ 4\.0 GiB/);
  t.false(r.stderr.includes('\r'), 'no redraws off a TTY');
  t.regex(r.stdout, /^id +a00000000002$/m);
  t.regex(r.stdout, /^name +nightly$/m);
});

test('backup off a TTY prints at most one progress line per interval (state changes always)', async (t) => {
  const api = await startFakeApi(t, backupRoutes());
  const r = await run(api.socket, ['backup', 'web'], { progressIntervalMs: 60_000 });
  t.is(r.code, 0);
  const lines = r.stderr.trimEnd().split('\n');
  t.is(lines.length, 3, r.stderr); // queued, running (first), succeeded
  t.regex(lines[1] ?? '', /running +0%/);
  t.regex(lines[2] ?? '', /succeeded +100%/);
});

test('backup on a TTY draws a bar with percent, bytes, rate and ETA', async (t) => {
  const api = await startFakeApi(t, {
    ...backupRoutes(),
    'GET /v1/jobs/b00000000001/events': events(backupRun(), 300),
  });
  const r = await run(api.socket, ['backup', 'web'], { isTTY: true });
  t.is(r.code, 0);
  t.true(r.stderr.includes('\r\x1b[K'));
  t.regex(r.stderr, /running \[#{6}-{18}\] +25% +1\.0 GiB \/ 4\.0 GiB/);
  // The rate shows once the job has run half a second (events are 300 ms apart).
  t.regex(r.stderr, /running \[#{18}-{6}\] +75% +3\.0 GiB \/ 4\.0 GiB +[\d.]+ \S+\/s +ETA \d+s\r/);
  t.regex(r.stderr, /succeeded \[#{24}\] +100% +4\.0 GiB \/ 4\.0 GiB .* in \d+s\n$/);
  t.true(r.stderr.endsWith('\n'));
});

test('backup --json prints the point object exactly; no progress on stdout', async (t) => {
  const api = await startFakeApi(t, backupRoutes());
  const r = await run(api.socket, [
    'backup',
    'web',
    '--json',
    '--quiesce',
    'required',
    '--chain-length',
    '7',
  ]);
  t.is(r.code, 0);
  t.deepEqual(JSON.parse(r.stdout), a00000000002);
  t.deepEqual(api.requests[0]?.body, { domain: 'web', quiesce: 'required', chainLength: 7 });
  t.is(r.stderr, '', 'no plain progress with --json off a TTY');
});

test('backup --no-wait prints the queued job (--json: the job object)', async (t) => {
  const api = await startFakeApi(t, backupRoutes());
  const r = await run(api.socket, ['backup', 'web', '--no-wait']);
  t.is(r.code, 0);
  t.is(r.stdout, 'queued backup job b00000000001 of web (virtpoint job wait b00000000001)\n');
  const j = await run(api.socket, ['backup', 'web', '--no-wait', '--json']);
  t.deepEqual(JSON.parse(j.stdout), job());
  t.false(api.requests.some((q) => q.path.includes('events')));
});

test('a failed backup job: exit 1, error with the job error code; --json prints the failed job', async (t) => {
  const error = { code: 'FREEZE_TIMEOUT', message: 'the guest agent did not freeze in 10 s' };
  const api = await startFakeApi(t, backupRoutes({ state: 'failed', error }));
  const r = await run(api.socket, ['backup', 'web']);
  t.is(r.code, 1);
  t.regex(
    r.stderr,
    /^error: backup job b00000000001 failed: the guest agent did not freeze in 10 s \(FREEZE_TIMEOUT\)$/m,
  );
  t.is(r.stdout, '');
  const j = await run(api.socket, ['backup', 'web', '--json']);
  t.is(j.code, 1);
  t.is((JSON.parse(j.stdout) as { state: string }).state, 'failed');
});

test('backup flag values are checked locally: exit 2, nothing queued', async (t) => {
  const api = await startFakeApi(t, backupRoutes());
  for (const argv of [
    ['--chain-length', '0'],
    ['--chain-length', '31'],
    ['--chain-length', '2.5'],
    ['--chain-length', 'ten'],
    ['--quiesce', 'maybe'],
    ['--name', ''],
    ['--bogus'],
    [], // no DOMAIN
  ]) {
    const r = await run(api.socket, ['backup', ...(argv.length === 0 ? [] : ['web', ...argv])]);
    t.is(r.code, 2, argv.join(' '));
    t.regex(r.stderr, /^error: .+ \(INVALID_ARGUMENT\)$/m);
  }
  t.is(api.requests.length, 0);
});

test('the API refusing a backup is exit 1 with its code and message', async (t) => {
  const api = await startFakeApi(t, {
    'POST /v1/backups': {
      status: 404,
      body: { error: { code: 'DOMAIN_NOT_FOUND', message: 'no domain "nope"' } },
    },
  });
  const r = await run(api.socket, ['backup', 'nope']);
  t.is(r.code, 1);
  t.is(r.stderr, 'error: no domain "nope" (DOMAIN_NOT_FOUND)\n');
});

test('backup of a point that fell back to crash consistency: exit 0, a warning line on stderr, stdout unchanged', async (t) => {
  const crash = {
    ...a00000000002,
    consistency: 'crash' as const,
    consistencyReason: 'freeze failed: guest agent is not connected',
    freezeMs: null,
  };
  const routes = { ...backupRoutes(), 'GET /v1/points/a00000000002': { body: crash } };
  const api = await startFakeApi(t, routes);
  const r = await run(api.socket, ['backup', 'web']);
  t.is(r.code, 0, r.stderr);
  t.regex(
    r.stderr,
    /^warning: point nightly \(a00000000002\) is crash-consistent: freeze failed: guest agent is not connected$/m,
  );
  t.regex(r.stdout, /^id +a00000000002$/m);
  t.false(r.stdout.includes('warning'));
  const j = await run(api.socket, ['backup', 'web', '--json']);
  t.is(j.code, 0);
  t.deepEqual(JSON.parse(j.stdout), crash);
  t.regex(j.stderr, /^warning: point nightly \(a00000000002\) is crash-consistent/m);
  // Asked for (--quiesce off): no warning; a filesystem-consistent point: none either.
  t.false((await run(api.socket, ['backup', 'web', '--quiesce', 'off'])).stderr.includes('warning'));
  const ok = await startFakeApi(t, backupRoutes());
  t.false((await run(ok.socket, ['backup', 'web'])).stderr.includes('warning'));
});
