/**
 * libvirt's keepalive program on one connection: our own PINGs every interval, the peer
 * declared dead after `count` PINGs without any frame in between, and the PONG to the peer's PING.
 */
import { VirtpointError } from '../../core/errors.js';
import { encodeFrame, MessageStatus, MessageType } from './frame.js';
import { KEEPALIVE_PROGRAM, KEEPALIVE_PROTOCOL_VERSION, KeepaliveProc } from './procedures.js';

export interface KeepaliveOptions {
  /** Interval of our PINGs (ms); 0 disables them. */
  readonly intervalMs: number;
  /** PINGs without any reply before the connection is declared dead. */
  readonly count: number;
  /** Writes one encoded frame to the socket. */
  readonly write: (frame: Buffer) => void;
  /** Called once when the peer is declared dead. */
  readonly onDead: (error: VirtpointError) => void;
}

export class Keepalive {
  private missed = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: KeepaliveOptions) {}

  start(): void {
    const { intervalMs: interval, count } = this.opts;
    if (interval <= 0 || this.timer) return;
    this.timer = setInterval(() => {
      if (this.missed >= count) {
        this.stop();
        this.opts.onDead(
          new VirtpointError(
            'LIBVIRT_DISCONNECTED',
            `libvirtd did not answer ${count} keepalive pings (${count * interval} ms); connection declared dead`,
            { details: { keepaliveIntervalMs: interval, keepaliveCount: count } },
          ),
        );
        return;
      }
      this.missed++;
      this.send(KeepaliveProc.PING);
    }, interval);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Any frame from the peer shows it is alive. */
  heard(): void {
    this.missed = 0;
  }

  /** Answers a frame of the keepalive program (PING → PONG; PONG needs nothing). */
  onFrame(proc: number): void {
    if (proc === KeepaliveProc.PING) this.send(KeepaliveProc.PONG);
  }

  private send(proc: number): void {
    this.opts.write(
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
}
