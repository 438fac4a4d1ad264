/**
 * Exec receiver: run a program without a shell (argv `[path]`, through runCommand), the JSON
 * payload on its stdin, in `/` with a minimal environment: PATH and VIRTPOINT_EVENT (task-run or verify).
 * Exit 0 is a delivery; anything else, a signal or the timeout (default 30 s) is a failed result
 * with the program's stderr (bounded) in the message. One try: a hook that wants retries does
 * them itself. Never rejects.
 */
import { access, constants } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import type { RunOptions, RunResult } from '../process/run-command.js';
import { runCommand } from '../process/run-command.js';
import { toVirtpointError } from '../../core/errors.js';
import type { CodedError } from '../../ports/catalog.js';
import type { DeliveryResult, Notification } from '../../ports/notifier.js';
import { execPathProblem } from './receiver.js';

export const DEFAULT_HOOK_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface ExecOptions {
  /** Milliseconds before the program is killed (default 30 000). */
  readonly timeoutMs?: number;
  /** PATH given to the program (default DEFAULT_HOOK_PATH). */
  readonly path?: string;
  /** Variables added to the minimal environment (tests, site-specific settings). */
  readonly extraEnv?: Readonly<Record<string, string>>;
  /**
   * Extra wait after the timeout before giving up on the program's exit (default 5 000 ms). A
   * hook that leaves a child holding its stdout or stderr would otherwise keep the delivery
   * pending until that child exits.
   */
  readonly graceMs?: number;
  /** Replaces runCommand (tests). */
  readonly run?: (argv: readonly string[], opts?: RunOptions) => Promise<RunResult>;
}

/** Bytes of stderr kept in the error message. */
const MAX_MESSAGE_STDERR = 2048;

export async function sendExec(
  programPath: string,
  payload: Notification,
  opts: ExecOptions = {},
): Promise<DeliveryResult> {
  const started = performance.now();
  const receiver = `exec:${programPath}`;
  const result = (error?: CodedError): DeliveryResult => ({
    receiver,
    ok: error === undefined,
    attempts: 1,
    ...(error === undefined ? {} : { error }),
    durationMs: Math.round(performance.now() - started),
  });

  const problem = execPathProblem(programPath);
  if (problem !== undefined) {
    return { ...result({ code: 'INVALID_ARGUMENT', message: `${receiver}: ${problem}` }), attempts: 0 };
  }
  try {
    await access(programPath, constants.X_OK);
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'is not executable';
    return result({ code: 'COMMAND_FAILED', message: `${receiver}: ${programPath} ${why}` });
  }

  const timeoutMs = opts.timeoutMs ?? 30_000;
  const graceMs = opts.graceMs ?? 5_000;
  const run = opts.run ?? runCommand;
  const env: NodeJS.ProcessEnv = {
    ...opts.extraEnv,
    PATH: opts.path ?? DEFAULT_HOOK_PATH,
    VIRTPOINT_EVENT: payload.event,
  };
  let guard: NodeJS.Timeout | undefined;
  try {
    const running = run([programPath], {
      input: JSON.stringify(payload),
      timeoutMs,
      env,
      cwd: '/',
      maxStdout: 64 * 1024,
    });
    const stuck = new Promise<'stuck'>((resolve) => {
      guard = setTimeout(() => resolve('stuck'), timeoutMs + graceMs);
    });
    running.catch(() => undefined); // settles late when the guard wins
    const outcome = await Promise.race([running, stuck]);
    if (outcome === 'stuck') {
      return result({
        code: 'COMMAND_TIMEOUT',
        message:
          `${receiver}: did not finish within ${timeoutMs} ms ` +
          '(killed; a child process still holds its output open)',
      });
    }
    return result();
  } catch (e) {
    const err = toVirtpointError(e, 'COMMAND_FAILED');
    return result({ code: err.code, message: `${receiver}: ${bounded(err.message)}` });
  } finally {
    clearTimeout(guard);
  }
}

function bounded(message: string): string {
  return message.length > MAX_MESSAGE_STDERR
    ? `${message.slice(0, MAX_MESSAGE_STDERR)}… (truncated)`
    : message;
}
