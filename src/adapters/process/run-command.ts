import { spawn } from 'node:child_process';
import { VirtpointError } from '../../core/errors.js';

/**
 * The one place virtpoint runs programs: argv arrays only (never a shell), a timeout, stdout and
 * stderr captured (bounded), and failures turned into COMMAND_FAILED / COMMAND_TIMEOUT with the
 * program's stderr in the message.
 */

export interface RunOptions {
  /** Milliseconds before the process is killed (SIGTERM, then SIGKILL 2 s later). */
  readonly timeoutMs?: number;
  readonly input?: string | Buffer;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Exit codes that count as success (default [0]). */
  readonly okCodes?: readonly number[];
  /** Cap on captured stdout bytes (default 64 MiB). */
  readonly maxStdout?: number;
  readonly signal?: AbortSignal;
}

export interface RunResult {
  readonly code: number;
  readonly stdout: Buffer;
  readonly stderr: string;
}

const MAX_STDERR = 64 * 1024;

export function runCommand(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const [program, ...args] = argv;
  if (program === undefined) throw new VirtpointError('INTERNAL', 'runCommand: empty argv');
  const maxStdout = opts.maxStdout ?? 64 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      signal: opts.signal,
    });
    const out: Buffer[] = [];
    let outLen = 0;
    let err = '';
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGTERM');
            killTimer = setTimeout(() => child.kill('SIGKILL'), 2000);
          }, opts.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      if (outLen < maxStdout) out.push(chunk);
      outLen += chunk.length;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (err.length < MAX_STDERR) err += chunk.toString('utf8');
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      const message =
        e.code === 'ENOENT' ? `${program} is not installed or not in PATH` : `${program}: ${e.message}`;
      reject(new VirtpointError('COMMAND_FAILED', message, { cause: e, details: { argv } }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      const stderr = err.trim();
      if (timedOut) {
        reject(
          new VirtpointError('COMMAND_TIMEOUT', `${program} did not finish within ${opts.timeoutMs} ms`, {
            details: { argv, stderr },
          }),
        );
        return;
      }
      const exit = code ?? -1;
      if (!(opts.okCodes ?? [0]).includes(exit)) {
        const why = signal ? `was killed by ${signal}` : `exited with ${exit}`;
        reject(
          new VirtpointError('COMMAND_FAILED', `${program} ${why}${stderr ? `: ${stderr}` : ''}`, {
            details: { argv, code: exit, stderr },
          }),
        );
        return;
      }
      resolve({ code: exit, stdout: Buffer.concat(out), stderr });
    });
    child.stdin.on('error', () => {
      /* the program may exit before reading its input; its exit status tells */
    });
    child.stdin.end(opts.input);
  });
}
