/**
 * systemd readiness and watchdog, isolated here (as containerd's notify_systemd.go): READY=1 once
 * the API socket listens, STATUS=, RELOADING=1, STOPPING=1, and WATCHDOG=1 pings. Without
 * NOTIFY_SOCKET (not started by systemd with Type=notify) every call is a no-op and one log line
 * says so.
 *
 * Node's dgram has no AF_UNIX datagram sockets, so messages go through the `systemd-notify`
 * program (shipped with systemd), run through the project's runner with an argv array:
 * `systemd-notify --pid=<our pid> KEY=VALUE...`. The sender is then a child process, which is why
 * the unit sets NotifyAccess=all. systemd-notify waits (BARRIER=1) until the service manager has
 * processed the message, so systemd can still attribute it to our cgroup.
 *
 * Contract: no method ever rejects. A notification that fails is logged (systemd then times
 * out the start or the watchdog fires, which says more than a crashed daemon would).
 */
import type { RunOptions, RunResult } from '../adapters/process/run-command.js';
import { runCommand } from '../adapters/process/run-command.js';
import type { Logger } from '../ports/logger.js';

export interface Notifier {
  /** True when NOTIFY_SOCKET is set: messages are sent. */
  readonly enabled: boolean;
  /** Milliseconds between WATCHDOG=1 pings, or undefined when the watchdog is off for us. */
  readonly watchdogIntervalMs: number | undefined;
  /**
   * READY=1 (+ STATUS=): call once the API socket listens, and again after a reload. Starts the
   * watchdog pings (idempotent).
   */
  ready(status?: string): Promise<void>;
  /** STATUS=: a one-line status shown by `systemctl status`. */
  status(text: string): Promise<void>;
  /** RELOADING=1 at the start of a SIGHUP reload; call ready() when the reload is done. */
  reloading(status?: string): Promise<void>;
  /** STOPPING=1 when shutdown begins. The watchdog keeps pinging until close(). */
  stopping(status?: string): Promise<void>;
  /** Stops the watchdog pings. Idempotent. Call last, after the daemon has stopped its work. */
  close(): void;
}

export type CommandRunner = (argv: readonly string[], opts?: RunOptions) => Promise<RunResult>;

export interface NotifierOptions {
  readonly logger: Logger;
  /** Environment read for NOTIFY_SOCKET, WATCHDOG_USEC, WATCHDOG_PID (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** Runs systemd-notify (default runCommand). */
  readonly run?: CommandRunner;
  /** Our PID, sent as --pid= and compared with WATCHDOG_PID (default process.pid). */
  readonly pid?: number;
  /** The systemd-notify program (default `systemd-notify`, found in PATH). */
  readonly program?: string;
  /** Milliseconds before a systemd-notify run is killed (default 5000). */
  readonly timeoutMs?: number;
}

/** Builds the Notifier for this process: a real one under systemd, a no-op otherwise. */
export function createNotifier(opts: NotifierOptions): Notifier {
  const env = opts.env ?? process.env;
  const socket = env['NOTIFY_SOCKET'];
  if (socket === undefined || socket === '') {
    opts.logger.info(
      {},
      'NOTIFY_SOCKET is not set (not started by systemd Type=notify): no readiness or watchdog messages',
    );
    return noopNotifier;
  }
  const pid = opts.pid ?? process.pid;
  const watchdogIntervalMs = watchdogInterval(env, pid, opts.logger);
  return new SystemdNotifier({
    logger: opts.logger,
    env,
    run: opts.run ?? runCommand,
    pid,
    program: opts.program ?? 'systemd-notify',
    timeoutMs: opts.timeoutMs ?? 5000,
    socket,
    watchdogIntervalMs,
  });
}

export const noopNotifier: Notifier = {
  enabled: false,
  watchdogIntervalMs: undefined,
  ready: () => Promise.resolve(),
  status: () => Promise.resolve(),
  reloading: () => Promise.resolve(),
  stopping: () => Promise.resolve(),
  close: () => undefined,
};

/**
 * Half of WATCHDOG_USEC in milliseconds (sd_watchdog_enabled's rule), when WATCHDOG_USEC is a
 * positive integer and WATCHDOG_PID is unset or ours; otherwise undefined.
 */
export function watchdogInterval(env: NodeJS.ProcessEnv, pid: number, logger?: Logger): number | undefined {
  const usecText = env['WATCHDOG_USEC'];
  if (usecText === undefined || usecText === '') return undefined;
  const pidText = env['WATCHDOG_PID'];
  if (pidText !== undefined && pidText !== '' && pidText !== String(pid)) {
    logger?.info({ watchdogPid: pidText, pid }, 'WATCHDOG_PID names another process: no watchdog pings');
    return undefined;
  }
  if (!/^[0-9]+$/.test(usecText) || Number(usecText) <= 0) {
    logger?.warn({ watchdogUsec: usecText }, 'WATCHDOG_USEC is not a positive integer: no watchdog pings');
    return undefined;
  }
  return Math.max(1, Math.floor(Number(usecText) / 2000));
}

/** A STATUS= value is one line: newlines would start new assignments. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').trim();
}

interface SystemdNotifierConfig {
  readonly logger: Logger;
  readonly env: NodeJS.ProcessEnv;
  readonly run: CommandRunner;
  readonly pid: number;
  readonly program: string;
  readonly timeoutMs: number;
  readonly socket: string;
  readonly watchdogIntervalMs: number | undefined;
}

class SystemdNotifier implements Notifier {
  readonly enabled = true;
  readonly watchdogIntervalMs: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private pinging = false;
  private closed = false;
  private pingFailures = 0;

  constructor(private readonly cfg: SystemdNotifierConfig) {
    this.watchdogIntervalMs = cfg.watchdogIntervalMs;
    cfg.logger.info(
      { notifySocket: cfg.socket, watchdogIntervalMs: cfg.watchdogIntervalMs ?? null },
      'systemd notifications enabled',
    );
  }

  async ready(status?: string): Promise<void> {
    await this.send(['READY=1', ...this.statusArg(status)]);
    this.startWatchdog();
  }

  async status(text: string): Promise<void> {
    await this.send(this.statusArg(text));
  }

  async reloading(status?: string): Promise<void> {
    // MONOTONIC_USEC is required by Type=notify-reload (systemd >= 253) and harmless before.
    const monotonicUsec = process.hrtime.bigint() / 1000n;
    await this.send(['RELOADING=1', `MONOTONIC_USEC=${monotonicUsec}`, ...this.statusArg(status)]);
  }

  async stopping(status?: string): Promise<void> {
    await this.send(['STOPPING=1', ...this.statusArg(status)]);
  }

  close(): void {
    this.closed = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private statusArg(status: string | undefined): string[] {
    return status === undefined ? [] : [`STATUS=${oneLine(status)}`];
  }

  private startWatchdog(): void {
    const interval = this.watchdogIntervalMs;
    if (interval === undefined || this.timer !== undefined || this.closed) return;
    this.timer = setInterval(() => void this.ping(), interval);
    // The pings must not keep the daemon alive on their own.
    this.timer.unref();
    void this.ping();
  }

  private async ping(): Promise<void> {
    // A ping still running (systemd busy) is not doubled: the next tick tries again.
    if (this.pinging || this.closed) return;
    this.pinging = true;
    try {
      const ok = await this.send(['WATCHDOG=1'], this.pingFailures > 0 ? 'debug' : 'warn');
      if (ok && this.pingFailures > 0) {
        this.cfg.logger.info({ failures: this.pingFailures }, 'systemd watchdog pings work again');
      }
      this.pingFailures = ok ? 0 : this.pingFailures + 1;
    } finally {
      this.pinging = false;
    }
  }

  /** Sends one message; true when systemd-notify succeeded. Never rejects. */
  private async send(assignments: readonly string[], level: 'warn' | 'debug' = 'warn'): Promise<boolean> {
    if (assignments.length === 0) return true;
    const argv = [this.cfg.program, `--pid=${this.cfg.pid}`, ...assignments];
    try {
      await this.cfg.run(argv, { env: this.cfg.env, timeoutMs: this.cfg.timeoutMs });
      return true;
    } catch (e) {
      this.cfg.logger[level](
        { err: e instanceof Error ? e.message : String(e), message: assignments.join(' ') },
        'systemd notification failed',
      );
      return false;
    }
  }
}
