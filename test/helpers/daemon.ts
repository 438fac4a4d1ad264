import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExecutionContext } from 'ava';
import { runCli } from '../../src/cli/run.js';
import { prepareRunDir, RUN_DIR } from './run-dir.js';

/**
 * A virtpointd the test starts on its own socket and state directory (under this run's
 * directory, which QEMU can reach), stopped by its PID in t.teardown. `cli()` runs the virtpoint
 * CLI in-process against it; `http()` sends raw requests.
 */

const REPO = join(fileURLToPath(import.meta.url), '..', '..', '..');
let n = 0;

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface TestDaemon {
  readonly socket: string;
  readonly stateDir: string;
  /** The daemon's config file (rewrite it, then SIGHUP). */
  readonly configFile: string;
  readonly pid: number;
  readonly log: () => string;
  cli(args: readonly string[]): Promise<CliResult>;
  /** The parsed JSON stdout of `cli([...args, '--json'])`; throws when the exit code is not 0. */
  json<T = unknown>(args: readonly string[]): Promise<T>;
  http(
    method: string,
    path: string,
    body?: string | Buffer,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: string }>;
  kill(signal: NodeJS.Signals): Promise<void>;
  /** Starts the daemon again on the same socket and state directory (with extra flags). */
  restart(args?: readonly string[]): Promise<void>;
}

export interface DaemonOptions {
  /** Extra `key = value` lines for the config file, written before the first start. */
  readonly config?: readonly string[];
}

export async function withDaemon(t: ExecutionContext, opts: DaemonOptions = {}): Promise<TestDaemon> {
  await prepareRunDir();
  const dir = join(RUN_DIR, `daemon-${process.pid}-${++n}`);
  await mkdir(dir, { recursive: true });
  const socket = join(dir, 'api.sock');
  const stateDir = join(dir, 'state');
  const config = join(dir, 'virtpoint.conf');
  const extra = (opts.config ?? []).map((l) => l + '\n').join('');
  await writeFile(
    config,
    '# test daemon\nfreeze_timeout_seconds = 10\nshutdown_timeout_seconds = 30\n' + extra,
  );
  let child: ChildProcess | null = null;
  let log = '';

  const start = async (args: readonly string[] = []) => {
    const c = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/daemon/main.ts',
        '--config',
        config,
        '--socket',
        socket,
        '--state-dir',
        stateDir,
        ...args,
      ],
      { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = c;
    c.stdout?.on('data', (d: Buffer) => (log += d.toString()));
    c.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (c.exitCode !== null) throw new Error(`virtpointd exited (${c.exitCode}):\n${log}`);
      const ok = await httpRaw(socket, 'GET', '/v1/status').then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`virtpointd did not answer on ${socket} within 30 s:\n${log}`);
  };

  const kill = async (signal: NodeJS.Signals) => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill(signal);
    // A daemon that does not stop within 60 s is a bug to see, not a test run that hangs.
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((r) => (timer = setTimeout(() => r(true), 60_000)));
    const stuck = await Promise.race([exited.then(() => false), late]);
    clearTimeout(timer);
    if (stuck) {
      c.kill('SIGKILL');
      await exited;
      throw new Error(`virtpointd did not exit within 60 s of ${signal}; killed:\n${log.slice(-4000)}`);
    }
  };

  t.teardown(async () => {
    await kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  });
  await start();

  const cli = async (args: readonly string[]): Promise<CliResult> => {
    let stdout = '';
    let stderr = '';
    const code = await runCli([...args], {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      env: { VIRTPOINT_SOCKET: socket },
      isTTY: false,
      progressIntervalMs: 0,
    });
    return { code, stdout, stderr };
  };

  return {
    socket,
    stateDir,
    configFile: config,
    get pid() {
      return child?.pid ?? -1;
    },
    log: () => log,
    cli,
    async json<T>(args: readonly string[]): Promise<T> {
      const r = await cli([...args, '--json']);
      if (r.code !== 0) throw new Error(`virtpoint ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
      return JSON.parse(r.stdout) as T;
    },
    http: (method, path, body, headers) => httpRaw(socket, method, path, body, headers),
    kill,
    restart: start,
  };
}

export function httpRaw(
  socketPath: string,
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath,
        method,
        path,
        headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      },
      (res) => {
        let data = '';
        res.on('data', (d: Buffer) => (data += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
      },
    );
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error('request timed out')));
    req.end(body);
  });
}
