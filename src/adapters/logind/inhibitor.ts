/**
 * A logind *delay* inhibitor held while backup jobs run, so a host shutdown (or sleep) waits for
 * them: org.freedesktop.login1.Manager.Inhibit("shutdown:sleep", "virtpoint", "backup jobs
 * running", "delay") returns a file descriptor; the lock lasts until every copy of it is closed.
 * PrepareForShutdown(true) tells the daemon to stop accepting jobs and finish or abort the
 * running ones; when the last one releases, the fd is closed and the shutdown proceeds.
 *
 * logind waits at most InhibitDelayMaxSec (logind.conf, 5 s by default) for delay locks; see
 * docs/systemd.md for raising it.
 *
 * Without a reachable system bus or logind (containers, tests) createShutdownInhibitor returns
 * a no-op inhibitor and logs that once.
 */
import { closeSync, constants as fsConstants, openSync } from 'node:fs';
import { access } from 'node:fs/promises';
import dbus from 'dbus-next';
import type { Logger } from '../../ports/logger.js';

export interface ShutdownInhibitor {
  /**
   * One job starts: takes the delay lock when it is the first. Counted: every acquire() needs
   * one release(). Never rejects (a backup must not fail because logind is away; failures are
   * logged). While a shutdown is announced, no new lock is taken.
   */
  acquire(): Promise<void>;
  /** One job ended: closes the lock's fd when it was the last. Extra calls are ignored. */
  release(): Promise<void>;
  /**
   * cb runs on PrepareForShutdown(true): the host is going down, stop accepting jobs and finish
   * or abort the running ones (each then calls release()). Several callbacks may be added.
   */
  onPrepareForShutdown(cb: () => void): void;
  /** Closes the lock if held and disconnects from the bus. Idempotent. */
  close(): Promise<void>;
}

export interface InhibitorOptions {
  readonly logger: Logger;
  /**
   * D-Bus address of the bus logind is on. Default: DBUS_SYSTEM_BUS_ADDRESS, else
   * unix:path=/run/dbus/system_bus_socket.
   */
  readonly busAddress?: string;
  /** Milliseconds to wait for the bus and logind at start (default 5000). */
  readonly connectTimeoutMs?: number;
  /** Inhibit's who/why (defaults "virtpoint", "backup jobs running"). */
  readonly who?: string;
  readonly why?: string;
}

export const LOGIND_NAME = 'org.freedesktop.login1';
export const LOGIND_PATH = '/org/freedesktop/login1';
export const LOGIND_MANAGER = 'org.freedesktop.login1.Manager';

const DEFAULT_SYSTEM_BUS = 'unix:path=/run/dbus/system_bus_socket';

export const noopShutdownInhibitor: ShutdownInhibitor = {
  acquire: () => Promise.resolve(),
  release: () => Promise.resolve(),
  onPrepareForShutdown: () => undefined,
  close: () => Promise.resolve(),
};

/**
 * Connects to the system bus and logind's Manager. On any failure (no bus socket, no logind, no
 * fd passing): logs one warning and returns noopShutdownInhibitor.
 */
export async function createShutdownInhibitor(opts: InhibitorOptions): Promise<ShutdownInhibitor> {
  const address = opts.busAddress ?? process.env['DBUS_SYSTEM_BUS_ADDRESS'] ?? DEFAULT_SYSTEM_BUS;
  const timeoutMs = opts.connectTimeoutMs ?? 5000;
  const noop = (reason: string): ShutdownInhibitor => {
    opts.logger.warn(
      { busAddress: address, reason },
      'logind is not reachable: host shutdown will not wait for running jobs',
    );
    return noopShutdownInhibitor;
  };

  // A missing socket is the common case (containers): say so without touching the bus library.
  const socketPath = unixPath(address);
  if (socketPath !== undefined) {
    try {
      await access(socketPath);
    } catch {
      return noop(`no bus socket at ${socketPath}`);
    }
  }

  let bus: dbus.MessageBus;
  try {
    // sessionBus() is dbus-next's client for any address; fd passing is needed for Inhibit.
    const busOpts: dbus.SessionBusOptions & { negotiateUnixFd: boolean } = {
      busAddress: address,
      negotiateUnixFd: true,
    };
    bus = dbus.sessionBus(busOpts);
  } catch (e) {
    return noop(errorText(e));
  }
  const connected = await settleConnect(bus, timeoutMs);
  if (connected !== true) {
    // Never disconnect a bus that has not settled: usocket crashes the process on that.
    if (connected !== 'timeout') safeDisconnect(bus);
    return noop(connected === 'timeout' ? `no answer from the bus within ${timeoutMs} ms` : connected);
  }

  let manager: dbus.ClientInterface;
  try {
    const obj = await withTimeout(bus.getProxyObject(LOGIND_NAME, LOGIND_PATH), timeoutMs);
    manager = obj.getInterface(LOGIND_MANAGER);
  } catch (e) {
    safeDisconnect(bus);
    return noop(errorText(e));
  }
  return new LogindInhibitor(bus, manager, opts);
}

class LogindInhibitor implements ShutdownInhibitor {
  private count = 0;
  private fd: number | undefined;
  private shuttingDown = false;
  private closed = false;
  /** acquire/release/close serialized: each step reconciles the fd with the count. */
  private queue: Promise<void> = Promise.resolve();
  private readonly callbacks: Array<() => void> = [];
  private readonly onSignal = (start: boolean): void => this.prepareForShutdown(start);

  constructor(
    private readonly bus: dbus.MessageBus,
    private readonly manager: dbus.ClientInterface,
    private readonly opts: InhibitorOptions,
  ) {
    manager.on('PrepareForShutdown', this.onSignal);
    bus.on('error', (e: unknown) => opts.logger.warn({ err: errorText(e) }, 'system bus error'));
  }

  acquire(): Promise<void> {
    this.count += 1;
    return this.enqueue();
  }

  release(): Promise<void> {
    if (this.count === 0) return this.queue;
    this.count -= 1;
    return this.enqueue();
  }

  onPrepareForShutdown(cb: () => void): void {
    this.callbacks.push(cb);
  }

  close(): Promise<void> {
    if (this.closed) return this.queue;
    this.closed = true;
    this.count = 0;
    this.manager.removeListener('PrepareForShutdown', this.onSignal);
    const done = this.enqueue().then(() => safeDisconnect(this.bus));
    this.queue = done;
    return done;
  }

  private enqueue(): Promise<void> {
    this.queue = this.queue.then(() => this.reconcile());
    return this.queue;
  }

  private async reconcile(): Promise<void> {
    if (this.count === 0 && this.fd !== undefined) {
      closeFd(this.fd);
      this.fd = undefined;
      this.opts.logger.info({}, 'logind delay inhibitor released');
    } else if (this.count > 0 && this.fd === undefined && !this.shuttingDown && !this.closed) {
      try {
        const fd: unknown = await this.manager['Inhibit']!(
          'shutdown:sleep',
          this.opts.who ?? 'virtpoint',
          this.opts.why ?? 'backup jobs running',
          'delay',
        );
        if (typeof fd !== 'number') throw new Error(`Inhibit returned ${typeof fd}, not a file descriptor`);
        this.fd = cloexecCopy(fd);
        this.opts.logger.info({}, 'logind delay inhibitor taken (shutdown:sleep)');
        // The last job may have ended while Inhibit was in flight.
        if (this.count === 0 || this.closed) await this.reconcile();
      } catch (e) {
        this.opts.logger.warn(
          { err: errorText(e) },
          'logind Inhibit failed: shutdown will not wait for jobs',
        );
      }
    }
  }

  private prepareForShutdown(start: boolean): void {
    this.shuttingDown = start;
    if (!start) {
      // Shutdown canceled: take the lock again if jobs still run.
      this.opts.logger.info({}, 'logind: shutdown canceled');
      void this.enqueue();
      return;
    }
    this.opts.logger.info({ jobs: this.count }, 'logind: host shutdown announced');
    for (const cb of this.callbacks) {
      try {
        cb();
      } catch (e) {
        this.opts.logger.error({ err: errorText(e) }, 'PrepareForShutdown callback threw');
      }
    }
  }
}

/**
 * The fd arrives without FD_CLOEXEC (usocket's recvmsg), so every program the daemon spawns
 * would inherit it and could hold the lock after release. Reopening it through /proc gives a
 * new description of the same FIFO that Node opens close-on-exec; then the original is closed.
 */
function cloexecCopy(fd: number): number {
  try {
    const copy = openSync(`/proc/self/fd/${fd}`, fsConstants.O_WRONLY | fsConstants.O_NONBLOCK);
    closeFd(fd);
    return copy;
  } catch {
    return fd;
  }
}

function closeFd(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    /* already closed: the lock is gone either way */
  }
}

function unixPath(address: string): string | undefined {
  const first = address.split(';')[0] ?? '';
  if (!first.startsWith('unix:')) return undefined;
  for (const kv of first.slice('unix:'.length).split(',')) {
    if (kv.startsWith('path=')) return kv.slice('path='.length);
  }
  return undefined;
}

/** Resolves true on 'connect' (Hello answered), the error text on 'error', or 'timeout'. */
function settleConnect(bus: dbus.MessageBus, timeoutMs: number): Promise<true | string> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      bus.removeListener('connect', onConnect);
      resolve('timeout');
    }, timeoutMs);
    const onConnect = (): void => {
      clearTimeout(timer);
      bus.removeListener('error', onError);
      resolve(true);
    };
    const onError = (e: unknown): void => {
      clearTimeout(timer);
      bus.removeListener('connect', onConnect);
      resolve(errorText(e) || 'bus error');
    };
    bus.once('connect', onConnect);
    bus.once('error', onError);
    // Later errors (bus restarted) must not crash the daemon as an unhandled 'error' event.
    bus.on('error', () => undefined);
  });
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

function safeDisconnect(bus: dbus.MessageBus): void {
  try {
    bus.disconnect();
  } catch {
    /* already closed */
  }
}

function errorText(e: unknown): string {
  if (e instanceof dbus.DBusError) return `${e.type}: ${e.text}`;
  return e instanceof Error ? e.message : String(e);
}
