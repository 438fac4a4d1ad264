/**
 * One connection to libvirtd over its Unix socket: framing, serials, many calls in flight,
 * per-call timeouts, the AUTH_LIST → CONNECT_OPEN handshake, keepalive (answer PING, send our
 * own, declare the peer dead after missed replies) and clean close. Protocol violations close
 * the connection with a coded error; they never crash the process or leave a call hanging.
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import { VirtpointError } from '../../core/errors.js';
import {
  DEFAULT_MAX_FRAME,
  encodeFrame,
  FrameDecoder,
  MessageStatus,
  MessageType,
  type Frame,
} from './frame.js';
import {
  DrvFeature,
  KEEPALIVE_PROGRAM,
  KEEPALIVE_PROTOCOL_VERSION,
  KeepaliveProc,
  REMOTE_PROGRAM,
  REMOTE_PROTOCOL_VERSION,
  RemoteProc,
} from './procedures.js';
import { decodeRemoteError, remoteErrorToVirtpoint } from './remote-error.js';
import { XdrReader, XdrWriter } from './xdr.js';

export const DEFAULT_SOCKET_PATHS = [
  '/var/run/libvirt/libvirt-sock',
  '/var/run/libvirt/virtqemud-sock',
] as const;

const AUTH_NONE = 0;
const AUTH_POLKIT = 2;
const REMOTE_PROC_AUTH_POLKIT = 70;

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

interface Pending {
  readonly prog: number;
  readonly proc: number;
  readonly resolve: (body: Buffer) => void;
  readonly reject: (e: VirtpointError) => void;
  readonly timer: NodeJS.Timeout | null;
}

interface ConnectionEvents {
  /** An asynchronous MESSAGE of the remote/qemu program (events). */
  message: [Frame];
  /** The connection is gone; null for a clean close we asked for. */
  close: [VirtpointError | null];
}

const TIMED_OUT_MEMORY = 4096;

export class LibvirtConnection extends EventEmitter<ConnectionEvents> {
  readonly socketPath: string;
  private readonly decoder: FrameDecoder;
  private readonly pending = new Map<number, Pending>();
  private readonly timedOut = new Set<number>();
  private nextSerial = 1;
  private closed = false;
  private closing = false;
  private fatal: VirtpointError | null = null;
  private missedPings = 0;
  private keepaliveTimer: NodeJS.Timeout | null = null;
  private readonly callTimeoutMs: number;
  private readonly closedPromise: Promise<void>;

  private constructor(
    private readonly socket: net.Socket,
    socketPath: string,
    private readonly opts: ConnectionOptions,
  ) {
    super();
    this.socketPath = socketPath;
    this.callTimeoutMs = opts.callTimeoutMs ?? 30_000;
    this.decoder = new FrameDecoder(opts.maxFrameBytes ?? DEFAULT_MAX_FRAME);
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
    const paths =
      opts.socketPath === undefined
        ? [...DEFAULT_SOCKET_PATHS]
        : typeof opts.socketPath === 'string'
          ? [opts.socketPath]
          : [...opts.socketPath];
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
        await conn.handshake(opts.uri ?? 'qemu:///system', timeoutMs);
      } catch (e) {
        conn.destroy(e instanceof VirtpointError ? e : undefined);
        throw e;
      }
      conn.startKeepalive();
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
    return this.pending.size;
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
    const serial = this.allocSerial();
    const body = args === null ? Buffer.alloc(0) : Buffer.isBuffer(args) ? args : args.toBuffer();
    const timeoutMs = opts.timeoutMs ?? this.callTimeoutMs;
    return new Promise<Buffer>((resolve, reject) => {
      const timer =
        timeoutMs > 0
          ? setTimeout(() => {
              if (!this.pending.delete(serial)) return;
              this.rememberTimedOut(serial);
              reject(
                new VirtpointError(
                  'LIBVIRT_TIMEOUT',
                  `libvirt call ${proc} timed out after ${timeoutMs} ms`,
                  {
                    details: { prog, proc, serial, timeoutMs },
                  },
                ),
              );
            }, timeoutMs)
          : null;
      this.pending.set(serial, { prog, proc, resolve, reject, timer });
      this.socket.write(
        encodeFrame({ prog, vers, proc, type: MessageType.CALL, serial, status: MessageStatus.OK }, body),
      );
    });
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
      this.stopKeepalive();
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
    this.stopKeepalive();
    this.socket.destroy();
  }

  // ---- internals --------------------------------------------------------------------------

  private allocSerial(): number {
    const s = this.nextSerial;
    this.nextSerial = this.nextSerial >= 0xffffffff ? 1 : this.nextSerial + 1;
    return s;
  }

  private rememberTimedOut(serial: number): void {
    this.timedOut.add(serial);
    if (this.timedOut.size > TIMED_OUT_MEMORY) {
      const oldest = this.timedOut.values().next().value;
      if (oldest !== undefined) this.timedOut.delete(oldest);
    }
  }

  private async handshake(uri: string, timeoutMs: number): Promise<void> {
    const authBody = await this.call(RemoteProc.AUTH_LIST, null, { timeoutMs });
    const types = new XdrReader(authBody).array((r) => r.int(), 20);
    if (types.length > 0 && !types.includes(AUTH_NONE)) {
      if (types.includes(AUTH_POLKIT)) {
        await this.call(REMOTE_PROC_AUTH_POLKIT, null, { timeoutMs });
      } else {
        throw new VirtpointError(
          'PERMISSION_DENIED',
          `libvirtd requires an authentication method we do not support (types ${types.join(',')})`,
        );
      }
    }
    await this.call(RemoteProc.CONNECT_OPEN, new XdrWriter().optString(uri).uint(0), { timeoutMs });
    // Ask the server to run keepalive for us; an old server may say no, which is fine.
    const ka = await this.call(
      RemoteProc.CONNECT_SUPPORTS_FEATURE,
      new XdrWriter().int(DrvFeature.PROGRAM_KEEPALIVE),
      { timeoutMs },
    );
    new XdrReader(ka).int();
  }

  private startKeepalive(): void {
    const interval = this.opts.keepaliveIntervalMs ?? 5_000;
    if (interval <= 0) return;
    const count = this.opts.keepaliveCount ?? 5;
    this.keepaliveTimer = setInterval(() => {
      if (this.missedPings >= count) {
        this.destroy(
          new VirtpointError(
            'LIBVIRT_DISCONNECTED',
            `libvirtd did not answer ${count} keepalive pings (${count * interval} ms); connection declared dead`,
            { details: { keepaliveIntervalMs: interval, keepaliveCount: count } },
          ),
        );
        return;
      }
      this.missedPings++;
      this.sendKeepalive(KeepaliveProc.PING);
    }, interval);
    this.keepaliveTimer.unref();
  }

  private stopKeepalive(): void {
    if (this.keepaliveTimer) clearInterval(this.keepaliveTimer);
    this.keepaliveTimer = null;
  }

  private sendKeepalive(proc: number): void {
    if (this.closed) return;
    this.socket.write(
      encodeFrame({
        prog: KEEPALIVE_PROGRAM,
        vers: KEEPALIVE_PROTOCOL_VERSION,
        proc,
        type: MessageType.MESSAGE,
        serial: 0,
        status: MessageStatus.OK,
      }),
    );
  }

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
      this.missedPings = 0;
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
      if (h.proc === KeepaliveProc.PING) this.sendKeepalive(KeepaliveProc.PONG);
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
    const p = this.pending.get(h.serial);
    if (!p) {
      if (this.timedOut.delete(h.serial)) return; // late reply to a call that timed out
      throw new VirtpointError('LIBVIRT_PROTOCOL', `libvirt protocol: reply to unknown serial ${h.serial}`, {
        details: { header: h },
      });
    }
    if (p.prog !== h.prog || p.proc !== h.proc) {
      throw new VirtpointError(
        'LIBVIRT_PROTOCOL',
        `libvirt protocol: reply ${h.prog.toString(16)}/${h.proc} for call ${p.prog.toString(16)}/${p.proc}`,
        { details: { header: h } },
      );
    }
    this.pending.delete(h.serial);
    if (p.timer) clearTimeout(p.timer);
    if (h.status === MessageStatus.OK) {
      p.resolve(f.body);
    } else if (h.status === MessageStatus.ERROR) {
      try {
        p.reject(remoteErrorToVirtpoint(decodeRemoteError(f.body), { prog: h.prog, proc: h.proc }));
      } catch (e) {
        p.reject(
          e instanceof VirtpointError
            ? e
            : new VirtpointError('LIBVIRT_PROTOCOL', 'libvirt protocol: undecodable error', { cause: e }),
        );
      }
    } else {
      p.reject(new VirtpointError('LIBVIRT_PROTOCOL', `libvirt protocol: reply status ${h.status}`));
    }
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopKeepalive();
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
    const rejectWith =
      err ??
      new VirtpointError(
        'LIBVIRT_DISCONNECTED',
        'connection to libvirtd closed while the call was in flight',
      );
    for (const [serial, p] of this.pending) {
      if (p.timer) clearTimeout(p.timer);
      this.pending.delete(serial);
      p.reject(rejectWith);
    }
    const cleanClose = this.closing && !this.fatal;
    this.emit(
      'close',
      cleanClose
        ? null
        : (err ?? new VirtpointError('LIBVIRT_DISCONNECTED', 'libvirtd closed the connection')),
    );
  }
}

function connectSocket(path: string, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.createConnection({ path });
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`connect timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      s.removeAllListeners('error');
      resolve(s);
    });
    s.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}
