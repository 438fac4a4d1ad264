/**
 * A test-only fake libvirtd on a Unix socket: answers the handshake and event registration,
 * hands every other call to a test's handler, and lets a test send anything (malformed frames,
 * unknown serials, PINGs) to the client. Not a libvirt implementation: just enough wire.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  encodeFrame,
  FrameDecoder,
  MessageStatus,
  MessageType,
  type Frame,
  type Header,
} from '../../src/adapters/libvirt/frame.js';
import {
  KEEPALIVE_PROGRAM,
  KeepaliveProc,
  REMOTE_PROGRAM,
  RemoteProc,
} from '../../src/adapters/libvirt/procedures.js';
import { XdrWriter } from '../../src/adapters/libvirt/xdr.js';

export interface FakeCall {
  readonly header: Header;
  readonly body: Buffer;
  readonly conn: FakeConnection;
  reply(body?: Buffer | XdrWriter): void;
  error(code: number, message: string): void;
}

export type CallHandler = (call: FakeCall) => void;

export function encodeRemoteError(code: number, message: string, domain = 10): Buffer {
  return new XdrWriter()
    .int(code)
    .int(domain)
    .optString(message)
    .int(2)
    .bool(false)
    .optString(message)
    .optString(null)
    .optString(null)
    .int(-1)
    .int(-1)
    .bool(false)
    .toBuffer();
}

export class FakeConnection {
  readonly calls: Frame[] = [];
  readonly keepalives: Frame[] = [];
  answerPings = true;

  constructor(
    readonly socket: net.Socket,
    private readonly server: FakeLibvirtd,
  ) {
    const dec = new FrameDecoder();
    socket.on('data', (chunk: Buffer) => {
      let frames: Frame[];
      try {
        frames = dec.push(chunk);
      } catch {
        socket.destroy();
        return;
      }
      for (const f of frames) this.onFrame(f);
    });
    socket.on('error', () => undefined);
  }

  write(buf: Buffer): void {
    this.socket.write(buf);
  }

  send(header: Partial<Header> & { proc: number }, body: Buffer | XdrWriter = Buffer.alloc(0)): void {
    this.write(
      encodeFrame(
        {
          prog: header.prog ?? REMOTE_PROGRAM,
          vers: header.vers ?? 1,
          proc: header.proc,
          type: header.type ?? MessageType.REPLY,
          serial: header.serial ?? 0,
          status: header.status ?? MessageStatus.OK,
        },
        Buffer.isBuffer(body) ? body : body.toBuffer(),
      ),
    );
  }

  ping(): void {
    this.send({ prog: KEEPALIVE_PROGRAM, proc: KeepaliveProc.PING, type: MessageType.MESSAGE });
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onFrame(f: Frame): void {
    const h = f.header;
    if (h.prog === KEEPALIVE_PROGRAM) {
      this.keepalives.push(f);
      if (h.proc === KeepaliveProc.PING && this.answerPings) {
        this.send({ prog: KEEPALIVE_PROGRAM, proc: KeepaliveProc.PONG, type: MessageType.MESSAGE });
      }
      return;
    }
    this.calls.push(f);
    const call: FakeCall = {
      header: h,
      body: f.body,
      conn: this,
      reply: (body) => this.send({ prog: h.prog, proc: h.proc, serial: h.serial }, body ?? Buffer.alloc(0)),
      error: (code, message) =>
        this.send(
          { prog: h.prog, proc: h.proc, serial: h.serial, status: MessageStatus.ERROR },
          encodeRemoteError(code, message),
        ),
    };
    if (h.prog === REMOTE_PROGRAM && this.server.autoAnswer(call)) return;
    this.server.handler(call);
  }
}

export class FakeLibvirtd {
  readonly connections: FakeConnection[] = [];
  /** Calls other than the handshake/event registration; default: VIR_ERR_NO_SUPPORT. */
  handler: CallHandler = (c) => c.error(3, 'this function is not supported by the fake');
  private nextCallbackId = 1;

  private constructor(
    private readonly server: net.Server,
    readonly path: string,
    private readonly dir: string | null,
  ) {
    server.on('connection', (s) => this.connections.push(new FakeConnection(s, this)));
  }

  /** Listens on `socketPath`, or on a fresh socket in a new temp directory. */
  static async start(socketPath?: string): Promise<FakeLibvirtd> {
    let dir: string | null = null;
    let p = socketPath;
    if (p === undefined) {
      dir = await mkdtemp(path.join(tmpdir(), 'fake-libvirtd-'));
      p = path.join(dir, 'libvirt-sock');
    }
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(p, () => resolve());
    });
    return new FakeLibvirtd(server, p, dir);
  }

  get last(): FakeConnection | undefined {
    return this.connections[this.connections.length - 1];
  }

  /** Answers the calls every session makes; returns true when it did. */
  autoAnswer(call: FakeCall): boolean {
    switch (call.header.proc) {
      case RemoteProc.AUTH_LIST:
        call.reply(new XdrWriter().array([0], (w, v) => w.int(v)));
        return true;
      case RemoteProc.CONNECT_OPEN:
      case RemoteProc.CONNECT_CLOSE:
      case RemoteProc.CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY:
        call.reply();
        return true;
      case RemoteProc.CONNECT_SUPPORTS_FEATURE:
        call.reply(new XdrWriter().int(1));
        return true;
      case RemoteProc.CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY:
        call.reply(new XdrWriter().int(this.nextCallbackId++));
        return true;
      default:
        return false;
    }
  }

  /** Stops listening and drops every connection; with `keepDir` the temp dir stays for a restart. */
  async stop(opts: { keepDir?: boolean } = {}): Promise<void> {
    for (const c of this.connections) c.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    if (this.dir && !opts.keepDir) await rm(this.dir, { recursive: true, force: true });
  }
}
