/**
 * The calls of one connection that wait for a reply: serial numbers, per-call timeouts, the
 * serials of calls that timed out (a late reply to one is dropped, not a protocol error) and the
 * dispatch of a REPLY frame to its caller.
 */
import { VirtpointError } from '../../core/errors.js';
import { MessageStatus, type Frame } from './frame.js';
import { decodeRemoteError, remoteErrorToVirtpoint } from './remote-error.js';

interface Pending {
  readonly prog: number;
  readonly proc: number;
  readonly resolve: (body: Buffer) => void;
  readonly reject: (e: VirtpointError) => void;
  readonly timer: NodeJS.Timeout | null;
}

/** How many timed-out serials are remembered (oldest forgotten first). */
const TIMED_OUT_MEMORY = 4096;

export class CallTable {
  private readonly pending = new Map<number, Pending>();
  private readonly timedOut = new Set<number>();
  private nextSerial = 1;

  get size(): number {
    return this.pending.size;
  }

  /** The next serial: 1 … 2^32−1, then 1 again. */
  allocSerial(): number {
    const s = this.nextSerial;
    this.nextSerial = this.nextSerial >= 0xffffffff ? 1 : this.nextSerial + 1;
    return s;
  }

  /** Waits for the reply to `serial`; rejects with LIBVIRT_TIMEOUT after `timeoutMs` (0: never). */
  wait(serial: number, prog: number, proc: number, timeoutMs: number): Promise<Buffer> {
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
    });
  }

  /**
   * Hands a REPLY frame to its call. Throws LIBVIRT_PROTOCOL for a reply nobody waits for (other
   * than a late one to a call that timed out) or one that does not match its call.
   */
  settle(f: Frame): void {
    const h = f.header;
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

  /** Fails every call in flight with `error`. */
  rejectAll(error: VirtpointError): void {
    for (const [serial, p] of this.pending) {
      if (p.timer) clearTimeout(p.timer);
      this.pending.delete(serial);
      p.reject(error);
    }
  }

  private rememberTimedOut(serial: number): void {
    this.timedOut.add(serial);
    if (this.timedOut.size > TIMED_OUT_MEMORY) {
      const oldest = this.timedOut.values().next().value;
      if (oldest !== undefined) this.timedOut.delete(oldest);
    }
  }
}
