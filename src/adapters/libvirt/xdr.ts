/**
 * XDR (RFC 4506) encoding and decoding, the subset libvirt's RPC protocol uses, plus helpers for
 * the libvirt object references that appear in most calls (remote_nonnull_domain & co).
 */
import { VirtpointError } from '../../core/errors.js';

/** Upper bound of remote_nonnull_string (REMOTE_STRING_MAX) and of any variable-length item. */
export const XDR_STRING_MAX = 4 * 1024 * 1024;

function pad4(n: number): number {
  return (4 - (n % 4)) % 4;
}

function protocolError(message: string): VirtpointError {
  return new VirtpointError('LIBVIRT_PROTOCOL', `libvirt protocol: ${message}`);
}

export class XdrWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(initialSize = 256) {
    this.buf = Buffer.alloc(initialSize);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.alloc(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  int(v: number): this {
    if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) throw new RangeError(`not an int32: ${v}`);
    this.ensure(4);
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  uint(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`not a uint32: ${v}`);
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  hyper(v: bigint | number): this {
    this.ensure(8);
    this.buf.writeBigInt64BE(BigInt(v), this.pos);
    this.pos += 8;
    return this;
  }

  uhyper(v: bigint | number): this {
    this.ensure(8);
    this.buf.writeBigUInt64BE(BigInt(v), this.pos);
    this.pos += 8;
    return this;
  }

  double(v: number): this {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
    return this;
  }

  bool(v: boolean): this {
    return this.int(v ? 1 : 0);
  }

  /** Fixed-length opaque: exactly `length` bytes, padded to 4. */
  opaqueFixed(data: Buffer, length: number): this {
    if (data.length !== length) throw new RangeError(`opaque[${length}] got ${data.length} bytes`);
    this.ensure(length + pad4(length));
    data.copy(this.buf, this.pos);
    this.pos += length;
    this.buf.fill(0, this.pos, this.pos + pad4(length));
    this.pos += pad4(length);
    return this;
  }

  /** Variable-length opaque: uint length, bytes, padding. */
  opaque(data: Buffer): this {
    this.uint(data.length);
    return this.opaqueFixed(data, data.length);
  }

  string(s: string): this {
    return this.opaque(Buffer.from(s, 'utf8'));
  }

  /** Optional (XDR pointer): bool present, then the value. */
  optional<T>(v: T | null | undefined, write: (w: this, v: T) => void): this {
    if (v === null || v === undefined) return this.bool(false);
    this.bool(true);
    write(this, v);
    return this;
  }

  optString(s: string | null | undefined): this {
    return this.optional(s, (w, v) => w.string(v));
  }

  array<T>(items: readonly T[], write: (w: this, v: T) => void): this {
    this.uint(items.length);
    for (const it of items) write(this, it);
    return this;
  }

  toBuffer(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

export class XdrReader {
  private pos = 0;

  constructor(private readonly buf: Buffer) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length) {
      throw protocolError(`short body: need ${n} bytes at offset ${this.pos}, have ${this.remaining}`);
    }
  }

  int(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  uint(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  hyper(): bigint {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  uhyper(): bigint {
    this.need(8);
    const v = this.buf.readBigUInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  double(): number {
    this.need(8);
    const v = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }

  bool(): boolean {
    const v = this.int();
    if (v !== 0 && v !== 1) throw protocolError(`bad bool ${v}`);
    return v === 1;
  }

  opaqueFixed(length: number): Buffer {
    this.need(length + pad4(length));
    const out = Buffer.from(this.buf.subarray(this.pos, this.pos + length));
    this.pos += length + pad4(length);
    return out;
  }

  opaque(max = XDR_STRING_MAX): Buffer {
    const len = this.uint();
    if (len > max) throw protocolError(`opaque length ${len} over ${max}`);
    return this.opaqueFixed(len);
  }

  string(max = XDR_STRING_MAX): string {
    return this.opaque(max).toString('utf8');
  }

  optional<T>(read: (r: this) => T): T | null {
    return this.bool() ? read(this) : null;
  }

  optString(): string | null {
    return this.optional((r) => r.string());
  }

  array<T>(read: (r: this) => T, max = 1 << 20): T[] {
    const n = this.uint();
    if (n > max) throw protocolError(`array length ${n} over ${max}`);
    // Every element takes at least 4 bytes: a length beyond that is malformed, not a big alloc.
    if (n * 4 > this.remaining) throw protocolError(`array length ${n} exceeds body`);
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(read(this));
    return out;
  }

  /** Asserts the whole body was consumed. */
  end(): void {
    if (this.remaining !== 0) throw protocolError(`${this.remaining} trailing bytes in body`);
  }
}

// ---- libvirt object references -------------------------------------------------------------

export const UUID_LEN = 16;

/** remote_nonnull_domain */
export interface DomainRef {
  readonly name: string;
  /** Canonical text form (8-4-4-4-12 hex). */
  readonly uuid: string;
  /** Runtime id; -1 when inactive. */
  readonly id: number;
}

/** remote_nonnull_domain_checkpoint */
export interface CheckpointRef {
  readonly name: string;
  readonly domain: DomainRef;
}

/** remote_nonnull_storage_pool */
export interface PoolRef {
  readonly name: string;
  readonly uuid: string;
}

/** remote_nonnull_storage_vol */
export interface VolumeRef {
  readonly pool: string;
  readonly name: string;
  readonly key: string;
}

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

export function isUuid(s: string): boolean {
  return UUID_RE.test(s);
}

export function uuidToBytes(uuid: string): Buffer {
  if (!isUuid(uuid)) throw new VirtpointError('INVALID_ARGUMENT', `not a UUID: ${uuid}`);
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

export function uuidFromBytes(b: Buffer): string {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export function writeDomain(w: XdrWriter, d: DomainRef): void {
  w.string(d.name).opaqueFixed(uuidToBytes(d.uuid), UUID_LEN).int(d.id);
}

export function readDomain(r: XdrReader): DomainRef {
  const name = r.string();
  const uuid = uuidFromBytes(r.opaqueFixed(UUID_LEN));
  const id = r.int();
  return { name, uuid, id };
}

export function writeCheckpoint(w: XdrWriter, c: CheckpointRef): void {
  w.string(c.name);
  writeDomain(w, c.domain);
}

export function readCheckpoint(r: XdrReader): CheckpointRef {
  const name = r.string();
  const domain = readDomain(r);
  return { name, domain };
}

export function writePool(w: XdrWriter, p: PoolRef): void {
  w.string(p.name).opaqueFixed(uuidToBytes(p.uuid), UUID_LEN);
}

export function readPool(r: XdrReader): PoolRef {
  const name = r.string();
  const uuid = uuidFromBytes(r.opaqueFixed(UUID_LEN));
  return { name, uuid };
}

export function writeVolume(w: XdrWriter, v: VolumeRef): void {
  w.string(v.pool).string(v.name).string(v.key);
}

export function readVolume(r: XdrReader): VolumeRef {
  const pool = r.string();
  const name = r.string();
  const key = r.string();
  return { pool, name, key };
}
