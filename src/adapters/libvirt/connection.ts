/**
 * One connection to libvirtd over its Unix socket: many calls in flight (calls.ts), the
 * AUTH_LIST → CONNECT_OPEN handshake (handshake.ts), keepalive (keepalive.ts), the frame reader
 * and clean close. Protocol violations close the connection with a coded error; they never crash
 * the process or leave a call hanging.
 */
import { EventEmitter } from 'node:events';
import type net from 'node:net';
import { VirtpointError } from '../../core/errors.js';
import { CallTable } from './calls.js';
import {
  DEFAULT_MAX_FRAME,
  encodeFrame,
  FrameDecoder,
  MessageStatus,
  MessageType,
  type Frame,
} from './frame.js';
import { handshake } from './handshake.js';
import { Keepalive } from './keepalive.js';
import { KEEPALIVE_PROGRAM, REMOTE_PROGRAM, REMOTE_PROTOCOL_VERSION, RemoteProc } from './procedures.js';
import { connectSocket, socketPaths } from './socket.js';
import type { XdrWriter } from './xdr.js';

export { DEFAULT_SOCKET_PATHS } from './socket.js';

export interface ConnectionOptions {
  /** Socket path, or paths tried in order. Default: libvirt-sock, then virtqemud-sock. */
  readonly socketPath?: string | readonly string[];
  /** Default `qemu:///system`. */
  readonly uri?: string;
  /** Default timeout of each call (ms). Default 30 s. */
  readonly callTimeoutMs?: number;
  /** Timeout of connect + handshake (ms). Default 10 s. */
  readonly connectTimeoutMs?: number;
  /** Interval of our keepalive PINGs (ms); 0 disables them. Default 5 s. */
  readonly keepaliveIntervalMs?: number;
  /** PINGs without any reply before the connection is declared dead. Default 5. */
  readonly keepaliveCount?: number;
  /** Largest frame accepted. Default 32 MiB. */
  readonly maxFrameBytes?: number;
}

export interface CallOptions {
  readonly timeoutMs?: number;
  readonly prog?: number;
  readonly vers?: number;
}

interface ConnectionEvents {
  /** An asynchronous MESSAGE of the remote/qemu program (events). */
  message: [Frame];
  /** The connection is gone; null for a clean close we asked for. */
  close: [VirtpointError | null];
}

export class LibvirtConnection extends EventEmitter<ConnectionEvents> {
  readonly socketPath: string;
  private readonly decoder: FrameDecoder;
  private readonly calls = new CallTable();
  private readonly keepalive: Keepalive;
  private closed = false;
  private closing = false;
  private fatal: VirtpointError | null = null;
  private readonly callTimeoutMs: number;
  private readonly closedPromise: Promise<void>;

  private constructor(
    private readonly socket: net.Socket,
    socketPath: string,
    opts: ConnectionOptions,
  ) {
    super();
    this.socketPath = socketPath;
    this.callTimeoutMs = opts.callTimeoutMs ?? 30_000;
    this.decoder = new FrameDecoder(opts.maxFrameBytes ?? DEFAULT_MAX_FRAME);
    this.keepalive = new Keepalive({
      intervalMs: opts.keepaliveIntervalMs ?? 5_000,
      count: opts.keepaliveCount ?? 5,
      write: (frame) => {
        if (!this.closed) this.socket.write(frame);
      },
      onDead: (error) => this.destroy(error),
    });
    this.closedPromise = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => {
      if (!this.fatal && !this.closing) {
        this.fatal = new VirtpointError('LIBVIRT_DISCONNECTED', `libvirtd connection error: ${err.message}`, {
          cause: err,
        });
      }
    });
    socket.on('close', () => this.onClose());
  }

  /** Connects, authenticates and opens `uri`. */
  static async open(opts: ConnectionOptions = {}): Promise<LibvirtConnection> {
    const paths = socketPaths(opts.socketPath);
    const timeoutMs = opts.connectTimeoutMs ?? 10_000;
    const failures: string[] = [];
    for (const p of paths) {
      let socket: net.Socket;
      try {
        socket = await connectSocket(p, timeoutMs);
      } catch (e) {
        failures.push(`${p}: ${(e as Error).message}`);
        continue;
      }
      const conn = new LibvirtConnection(socket, p, opts);
      try {
        await handshake((proc, args, o) => conn.call(proc, args, o), opts.uri ?? 'qemu:///system', timeoutMs);
      } catch (e) {
        conn.destroy(e instanceof VirtpointError ? e : undefined);
        throw e;
      }
      conn.keepalive.start();
      return conn;
    }
    throw new VirtpointError('LIBVIRT_DISCONNECTED', `cannot connect to libvirtd (${failures.join('; ')})`, {
      details: { paths },
    });
  }

  get isOpen(): boolean {
    return !this.closed && !this.closing;
  }

  get inFlight(): number {
    return this.calls.size;
  }

  /** Sends a CALL and resolves with the reply body; rejects with a coded error. */
  call(proc: number, args: Buffer | XdrWriter | null, opts: CallOptions = {}): Promise<Buffer> {
    if (this.closed || this.closing) {
      return Promise.reject(
        this.fatal ?? new VirtpointError('LIBVIRT_DISCONNECTED', 'libvirtd connection is closed'),
      );
    }
    const prog = opts.prog ?? REMOTE_PROGRAM;
    const vers = opts.vers ?? REMOTE_PROTOCOL_VERSION;
    const serial = this.calls.allocSerial();
    const body = args === null ? Buffer.alloc(0) : Buffer.isBuffer(args) ? args : args.toBuffer();
    const reply = this.calls.wait(serial, prog, proc, opts.timeoutMs ?? this.callTimeoutMs);
    this.socket.write(
      encodeFrame({ prog, vers, proc, type: MessageType.CALL, serial, status: MessageStatus.OK }, body),
    );
    return reply;
  }

  /** Clean close: CONNECT_CLOSE, then end the socket. Pending calls reject with LIBVIRT_DISCONNECTED. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (!this.closing) {
      try {
        await this.call(RemoteProc.CONNECT_CLOSE, null, { timeoutMs: 2_000 });
      } catch {
        // closing anyway
      }
      this.closing = true;
      this.keepalive.stop();
      this.socket.end();
      const t = setTimeout(() => this.socket.destroy(), 2_000);
      t.unref();
    }
    await this.closedPromise;
  }

  /** Tears the connection down at once (pending calls reject with `error` or LIBVIRT_DISCONNECTED). */
  destroy(error?: VirtpointError): void {
    if (this.closed) return;
    if (error && !this.fatal) this.fatal = error;
    this.keepalive.stop();
    this.socket.destroy();
  }

  // ---- the frame reader -------------------------------------------------------------------

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    let frames: Frame[];
    try {
      frames = this.decoder.push(chunk);
    } catch (e) {
      this.destroy(e as VirtpointError);
      return;
    }
    for (const f of frames) {
      if (this.closed || this.fatal) return;
      this.keepalive.heard();
      try {
        this.onFrame(f);
      } catch (e) {
        this.destroy(
          e instanceof VirtpointError
            ? e
            : new VirtpointError('LIBVIRT_PROTOCOL', `libvirt protocol: ${(e as Error).message}`, {
                cause: e,
              }),
        );
        return;
      }
    }
  }

  private onFrame(f: Frame): void {
    const h = f.header;
    if (h.prog === KEEPALIVE_PROGRAM) {
      this.keepalive.onFrame(h.proc);
      return;
    }
    if (h.type === MessageType.MESSAGE) {
      this.emit('message', f);
      return;
    }
    if (h.type !== MessageType.REPLY) {
      throw new VirtpointError('LIBVIRT_PROTOCOL', `libvirt protocol: unexpected message type ${h.type}`, {
        details: { header: h },
      });
    }
    this.calls.settle(f);
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.keepalive.stop();
    let err: VirtpointError | null = this.fatal;
    if (!err && this.decoder.pending > 0) {
      err = new VirtpointError(
        'LIBVIRT_DISCONNECTED',
        'libvirtd closed the connection inside a frame (truncated)',
        {
          details: { bufferedBytes: this.decoder.pending },
        },
      );
    }
    this.calls.rejectAll(
      err ??
        new VirtpointError(
          'LIBVIRT_DISCONNECTED',
          'connection to libvirtd closed while the call was in flight',
        ),
    );
    const cleanClose = this.closing && !this.fatal;
    this.emit(
      'close',
      cleanClose
        ? null
        : (err ?? new VirtpointError('LIBVIRT_DISCONNECTED', 'libvirtd closed the connection')),
    );
  }
}
