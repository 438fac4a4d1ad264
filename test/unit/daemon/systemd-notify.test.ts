import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import type { RunOptions, RunResult } from '../../../src/adapters/process/run-command.js';
import { VirtpointError } from '../../../src/core/errors.js';
import type { Logger } from '../../../src/ports/logger.js';
import { createNotifier, watchdogInterval } from '../../../src/daemon/systemd-notify.js';

interface Line {
  level: string;
  obj: object;
  msg: string;
}

function recorder(): Logger & { lines: Line[] } {
  const lines: Line[] = [];
  const at =
    (level: string) =>
    (obj: object, msg: string): void => {
      lines.push({ level, obj, msg });
    };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

function fakeRunner(fail = false) {
  const calls: { argv: readonly string[]; opts: RunOptions | undefined }[] = [];
  const run = (argv: readonly string[], opts?: RunOptions): Promise<RunResult> => {
    calls.push({ argv, opts });
    if (fail) return Promise.reject(new VirtpointError('COMMAND_FAILED', 'systemd-notify exited with 1'));
    return Promise.resolve({ code: 0, stdout: Buffer.alloc(0), stderr: '' });
  };
  return { calls, run };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('without NOTIFY_SOCKET: a no-op and one log line', async (t) => {
  const logger = recorder();
  const { calls, run } = fakeRunner();
  const n = createNotifier({ logger, run, env: { WATCHDOG_USEC: '1000' } });
  t.false(n.enabled);
  t.is(n.watchdogIntervalMs, undefined);
  await n.ready('listening');
  await n.status('x');
  await n.reloading();
  await n.stopping();
  n.close();
  t.is(calls.length, 0);
  t.is(logger.lines.length, 1);
  t.regex(logger.lines[0]?.msg ?? '', /NOTIFY_SOCKET is not set/);
});

test('ready, status, reloading, stopping: systemd-notify argv with our pid', async (t) => {
  const { calls, run } = fakeRunner();
  const env = { NOTIFY_SOCKET: '/run/systemd/notify' };
  const n = createNotifier({ logger: recorder(), run, env, pid: 4242 });
  t.true(n.enabled);
  await n.ready('listening on /run/virtpoint/virtpoint.sock');
  await n.status('2 jobs\nrunning');
  await n.reloading();
  await n.stopping('stopping: 1 job');
  n.close();
  t.deepEqual(calls[0]?.argv, [
    'systemd-notify',
    '--pid=4242',
    'READY=1',
    'STATUS=listening on /run/virtpoint/virtpoint.sock',
  ]);
  t.is(calls[0]?.opts?.env, env);
  t.deepEqual(calls[1]?.argv, ['systemd-notify', '--pid=4242', 'STATUS=2 jobs running']);
  t.is(calls[2]?.argv[2], 'RELOADING=1');
  t.regex(calls[2]?.argv[3] ?? '', /^MONOTONIC_USEC=[0-9]+$/);
  t.deepEqual(calls[3]?.argv, ['systemd-notify', '--pid=4242', 'STOPPING=1', 'STATUS=stopping: 1 job']);
  t.is(calls.length, 4, 'no watchdog pings without WATCHDOG_USEC');
});

test('watchdog: pings every WATCHDOG_USEC/2 after ready, until close', async (t) => {
  const { calls, run } = fakeRunner();
  const n = createNotifier({
    logger: recorder(),
    run,
    env: { NOTIFY_SOCKET: '@notify', WATCHDOG_USEC: '40000' },
    pid: 7,
  });
  t.is(n.watchdogIntervalMs, 20);
  await sleep(60);
  t.is(calls.length, 0, 'no pings before ready()');
  await n.ready();
  await sleep(110);
  n.close();
  const pings = calls.filter((c) => c.argv.includes('WATCHDOG=1')).length;
  t.true(pings >= 2, `pings: ${pings}`);
  const after = calls.length;
  await sleep(60);
  t.is(calls.length, after, 'no pings after close()');
});

test('watchdog interval: WATCHDOG_PID must be ours; bad values turn it off', (t) => {
  t.is(watchdogInterval({ WATCHDOG_USEC: '30000000' }, 10), 15000);
  t.is(watchdogInterval({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '10' }, 10), 15000);
  t.is(watchdogInterval({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '11' }, 10), undefined);
  t.is(watchdogInterval({ WATCHDOG_USEC: 'soon' }, 10), undefined);
  t.is(watchdogInterval({ WATCHDOG_USEC: '0' }, 10), undefined);
  t.is(watchdogInterval({}, 10), undefined);
});

test('a failing systemd-notify is logged, never thrown; repeated ping failures are logged once', async (t) => {
  const logger = recorder();
  const { calls, run } = fakeRunner(true);
  const n = createNotifier({ logger, run, env: { NOTIFY_SOCKET: '/x', WATCHDOG_USEC: '20000' } });
  await t.notThrowsAsync(n.ready('up'));
  await sleep(80);
  n.close();
  t.true(calls.length >= 2);
  const warns = logger.lines.filter((l) => l.level === 'warn');
  t.is(warns.length, 2, 'READY failure + first ping failure; later ping failures at debug');
});

// Integration: a real AF_UNIX SOCK_DGRAM socket (python3, Node has none) as NOTIFY_SOCKET and
// the real systemd-notify program.
const LISTENER = `
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("LISTENING", flush=True)
while True:
    d = s.recv(65536)
    print(d.decode().replace("\\n", "|"), flush=True)
`;

test('integration: READY=1 and WATCHDOG=1 datagrams reach a real notify socket', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'vpt-notify-'));
  const sock = path.join(dir, 'notify');
  const py = spawn('python3', ['-c', LISTENER, sock], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(async () => {
    if (py.pid !== undefined && py.exitCode === null) process.kill(py.pid, 'SIGTERM');
    await rm(dir, { recursive: true, force: true });
  });
  const lines: string[] = [];
  let stderr = '';
  py.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const listening = new Promise<void>((resolve, reject) => {
    let buf = '';
    py.stdout.on('data', (c: Buffer) => {
      buf += c.toString();
      const parts = buf.split('\n');
      buf = parts.pop() ?? '';
      for (const p of parts) {
        if (p === 'LISTENING') resolve();
        else lines.push(p);
      }
    });
    py.on('exit', (code) => reject(new Error(`python3 listener exited ${code}: ${stderr}`)));
    py.on('error', reject);
  });
  await listening;

  const n = createNotifier({
    logger: recorder(),
    env: { ...process.env, NOTIFY_SOCKET: sock, WATCHDOG_USEC: '200000', WATCHDOG_PID: String(process.pid) },
  });
  await n.ready('listening');
  await sleep(450);
  await n.stopping();
  n.close();
  await sleep(100);

  const messages = lines.filter((l) => l !== 'BARRIER=1');
  const ready = messages.find((m) => m.split('|').includes('READY=1'));
  t.truthy(ready, lines.join('\n'));
  t.true(ready?.split('|').includes(`MAINPID=${process.pid}`));
  t.true(ready?.split('|').includes('STATUS=listening'));
  const pings = messages.filter((m) => m.split('|').includes('WATCHDOG=1')).length;
  t.true(pings >= 2, `WATCHDOG=1 datagrams: ${pings}\n${lines.join('\n')}`);
  t.true(messages.some((m) => m.split('|').includes('STOPPING=1')));
});
