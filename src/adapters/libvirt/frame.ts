/**
 * libvirt RPC framing: a 4-byte big-endian length that counts itself, a 24-byte header
 * (prog, vers, proc, type, serial, status) and the XDR body. FrameDecoder turns a byte stream
 * (chunks split or coalesced anyhow) into whole frames and rejects malformed lengths.
 */
import { VirtpointError } from '../../core/errors.js';

export const LEN_BYTES = 4;
export const HEADER_BYTES = 24;
/** Our sanity bound for one frame (libvirt's own max is 16 MiB + 4). */
export const DEFAULT_MAX_FRAME = 32 * 1024 * 1024;

export const MessageType = {
  CALL: 0,
  REPLY: 1,
  MESSAGE: 2,
  STREAM: 3,
  CALL_WITH_FDS: 4,
  REPLY_WITH_FDS: 5,
} as const;
export const MessageStatus = { OK: 0, ERROR: 1, CONTINUE: 2 } as const;

export interface Header {
  readonly prog: number;
  readonly vers: number;
  readonly proc: number;
  readonly type: number;
  readonly serial: number;
  readonly status: number;
}

export interface Frame {
  readonly header: Header;
  readonly body: Buffer;
}

export function encodeFrame(header: Header, body: Buffer = Buffer.alloc(0)): Buffer {
  const out = Buffer.alloc(LEN_BYTES + HEADER_BYTES + body.length);
  out.writeUInt32BE(out.length, 0);
  out.writeUInt32BE(header.prog >>> 0, 4);
  out.writeUInt32BE(header.vers >>> 0, 8);
  out.writeInt32BE(header.proc, 12);
  out.writeInt32BE(header.type, 16);
  out.writeUInt32BE(header.serial >>> 0, 20);
  out.writeInt32BE(header.status, 24);
  body.copy(out, LEN_BYTES + HEADER_BYTES);
  return out;
}

/** Decodes one complete frame (length word included). */
export function decodeFrame(buf: Buffer): Frame {
  const header: Header = {
    prog: buf.readUInt32BE(4),
    vers: buf.readUInt32BE(8),
    proc: buf.readInt32BE(12),
    type: buf.readInt32BE(16),
    serial: buf.readUInt32BE(20),
    status: buf.readInt32BE(24),
  };
  return { header, body: buf.subarray(LEN_BYTES + HEADER_BYTES) };
}

/**
 * Incremental decoder. `push` returns every frame completed by the chunk; a bad length throws a
 * LIBVIRT_PROTOCOL error (the stream is then unusable). `pending` tells whether a partial frame
 * is buffered (a close at that point means a truncated frame).
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(private readonly maxFrame = DEFAULT_MAX_FRAME) {}

  get pending(): number {
    return this.buffered;
  }

  push(chunk: Buffer): Frame[] {
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    const frames: Frame[] = [];
    while (this.buffered >= LEN_BYTES) {
      const len = this.peekLength();
      if (len < LEN_BYTES + HEADER_BYTES) {
        throw new VirtpointError('LIBVIRT_PROTOCOL', `libvirt protocol: frame length ${len} below minimum`, {
          details: { length: len },
        });
      }
      if (len > this.maxFrame) {
        throw new VirtpointError(
          'LIBVIRT_PROTOCOL',
          `libvirt protocol: frame length ${len} over maximum ${this.maxFrame}`,
          { details: { length: len, max: this.maxFrame } },
        );
      }
      if (this.buffered < len) break;
      frames.push(decodeFrame(this.take(len)));
    }
    return frames;
  }

  private peekLength(): number {
    const first = this.chunks[0];
    if (first !== undefined && first.length >= LEN_BYTES) return first.readUInt32BE(0);
    const all = Buffer.concat(this.chunks);
    this.chunks = [all];
    return all.readUInt32BE(0);
  }

  private take(n: number): Buffer {
    const first = this.chunks[0];
    let all: Buffer;
    if (first !== undefined && first.length >= n) {
      all = first;
    } else {
      all = Buffer.concat(this.chunks);
    }
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    if (first !== undefined && first.length >= n) {
      this.chunks.shift();
      if (rest.length > 0) this.chunks.unshift(rest);
    } else {
      this.chunks = rest.length > 0 ? [rest] : [];
    }
    this.buffered -= n;
    return out;
  }
}
