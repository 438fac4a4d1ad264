/**
 * A minimal QMP client (QEMU Machine Protocol, JSON lines over a Unix socket) for the
 * qemu-storage-daemon the volume backup starts (src/adapters/qmp/offline-backup.ts). It reads
 * the greeting, negotiates capabilities, runs one command at a time (each with an `id`), and
 * hands asynchronous events to the listeners. Errors: COMMAND_FAILED with QEMU's class and
 * description, IO_ERROR when the socket closes, COMMAND_TIMEOUT when no reply comes in time.
 */

import { connect, type Socket } from 'node:net';

import { VirtpointError } from '../../core/errors.js';

export interface QmpEvent {
  readonly event: string;
  readonly data: Record<string, unknown>;
}

interface Pending {
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: Error) => void;
  readonly timer: NodeJS.Timeout;
  readonly command: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;

export class QmpClient {
  private buffer = '';
  private nextId = 1;
  private readonly pending = new Map<string, Pending>();
  private readonly listeners = new Set<(e: QmpEvent) => void>();
  private closedError: VirtpointError | null = null;
  private greeted: (() => void) | null = null;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('close', () => this.fail(new VirtpointError('IO_ERROR', 'the QMP socket closed')));
    socket.on('error', (e) => this.fail(new VirtpointError('IO_ERROR', `QMP socket: ${e.message}`)));
  }

  /** Connects to `path`, waits for the greeting and leaves capabilities negotiation mode. */
  static async connect(path: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<QmpClient> {
    const socket = connect(path);
    const client = new QmpClient(socket);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new VirtpointError('COMMAND_TIMEOUT', `no QMP greeting on ${path} within ${timeoutMs} ms`));
      }, timeoutMs);
      client.greeted = () => {
        clearTimeout(timer);
        resolve();
      };
      socket.once('error', (e) => {
        clearTimeout(timer);
        reject(new VirtpointError('IO_ERROR', `cannot connect to QMP socket ${path}: ${e.message}`));
      });
    });
    await client.execute('qmp_capabilities', undefined, timeoutMs);
    return client;
  }

  /** Runs one command; resolves with its `return` value. */
  execute(command: string, args?: Record<string, unknown>, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<unknown> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = `vp-${this.nextId++}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new VirtpointError('COMMAND_TIMEOUT', `QMP ${command} got no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer, command });
      this.socket.write(
        JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}), id }) + '\n',
      );
    });
  }

  /** Calls `fn` for each event until the returned function is called. */
  onEvent(fn: (e: QmpEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    for (let nl = this.buffer.indexOf('\n'); nl >= 0; nl = this.buffer.indexOf('\n')) {
      const line = this.buffer.slice(0, nl).trim();
      this.buffer = this.buffer.slice(nl + 1);
      if (line !== '') this.onMessage(line);
    }
  }

  private onMessage(line: string): void {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(line) as Record<string, unknown>;
    } catch {
      this.fail(
        new VirtpointError('COMMAND_FAILED', `QMP sent a line that is not JSON: ${line.slice(0, 200)}`),
      );
      return;
    }
    if ('QMP' in msg) {
      this.greeted?.();
      this.greeted = null;
      return;
    }
    if (typeof msg.event === 'string') {
      const e = { event: msg.event, data: (msg.data ?? {}) as Record<string, unknown> };
      for (const fn of this.listeners) fn(e);
      return;
    }
    const id = typeof msg.id === 'string' ? msg.id : null;
    const p = id === null ? undefined : this.pending.get(id);
    if (p === undefined || id === null) return;
    this.pending.delete(id);
    clearTimeout(p.timer);
    if ('error' in msg) {
      const err = (msg.error ?? {}) as { class?: string; desc?: string };
      p.reject(
        new VirtpointError('COMMAND_FAILED', `QMP ${p.command} failed: ${err.desc ?? 'unknown error'}`, {
          details: { class: err.class },
        }),
      );
    } else p.resolve(msg.return);
  }

  private fail(e: VirtpointError): void {
    if (this.closedError) return;
    this.closedError = e;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(e);
    }
    this.pending.clear();
  }
}
