/**
 * Client-side encryption of copies (docs/copies.md, "Encryption"): AES-256-GCM in fixed frames,
 * so a download verifies and decrypts as it streams and never holds more than one frame.
 *
 *   header  = "VPENC1\0\0" | frame size (u32 BE) | key id (8 bytes) | salt (16 random bytes)
 *   frame i = nonce_i (12 bytes) | ciphertext (≤ frame size) | tag (16)
 *   nonce_i = first 12 bytes of HMAC-SHA256(object key, "virtpoint nonce v1" | i (u64 BE))
 *
 * Each object gets its own key, HKDF-SHA256(target key, salt), from a fresh random salt: nonces
 * never meet across objects, and within one object each frame index gives its own nonce. The
 * nonce is derived, not random, so the bytes of an object from frame k on can be produced again
 * from its salt alone (`start`): an encrypted upload resumes after its last completed part. The
 * nonce is still stored in each frame, so decrypting needs no rule (objects written with random
 * nonces decrypt the same).
 * Every frame authenticates the header, its index (u64 BE) and whether it is the last one, so a
 * flipped byte, frames swapped or dropped, a cut-off end or a stranger header all fail: with
 * DATA_CORRUPT, DATA_TRUNCATED, or ENCRYPTION_KEY_MISMATCH when the object was written with
 * another key. An empty input is one empty last frame. Pure: randomness (the salt) comes in.
 */

import { createCipheriv, createDecipheriv, createHmac, hkdfSync } from 'node:crypto';

import { VirtpointError } from './errors.js';
import type { RandomBytes } from './names.js';

export const KEY_BYTES = 32;
export const DEFAULT_FRAME_SIZE = 4 * 1024 * 1024;
const MAGIC = Buffer.from('VPENC1\0\0', 'latin1');
const SALT = 16;
export const HEADER_BYTES = MAGIC.length + 4 + 8 + SALT;
const NONCE = 12;
const NONCE_LABEL = Buffer.from('virtpoint nonce v1', 'latin1');
const TAG = 16;
export const FRAME_OVERHEAD = NONCE + TAG;

/** The fingerprint of a target key shown in views and written in headers (16 hex chars). */
export function keyId(key: Uint8Array): string {
  checkKey(key);
  return createHmac('sha256', key).update('virtpoint target key id v1').digest('hex').slice(0, 16);
}

function checkKey(key: Uint8Array): void {
  if (key.length !== KEY_BYTES) {
    throw new VirtpointError(
      'INVALID_ARGUMENT',
      `an encryption key is ${KEY_BYTES} bytes, got ${key.length}: make one with 'head -c 32 /dev/urandom > FILE'`,
    );
  }
}

function objectKey(key: Uint8Array, salt: Uint8Array): Buffer {
  return Buffer.from(hkdfSync('sha256', key, salt, 'virtpoint frames v1', KEY_BYTES));
}

function aad(header: Buffer, index: number, last: boolean): Buffer {
  const b = Buffer.alloc(header.length + 9);
  header.copy(b);
  b.writeBigUInt64BE(BigInt(index), header.length);
  b[header.length + 8] = last ? 1 : 0;
  return b;
}

/** The length of the encrypted form of `plainSize` bytes. */
export function encryptedSize(plainSize: number, frameSize = DEFAULT_FRAME_SIZE): number {
  const frames = Math.max(1, Math.ceil(plainSize / frameSize));
  return HEADER_BYTES + frames * FRAME_OVERHEAD + plainSize;
}

/** frame i's nonce: the first 12 bytes of HMAC-SHA256(object key, "virtpoint nonce v1" | i). */
function nonceFor(key: Buffer, index: number): Buffer {
  const i = Buffer.alloc(8);
  i.writeBigUInt64BE(BigInt(index));
  return createHmac('sha256', key).update(NONCE_LABEL).update(i).digest().subarray(0, NONCE);
}

/** Where an encryptor starts again: the object's salt and the index of its first frame. */
export interface EncryptorStart {
  readonly salt: Uint8Array;
  /** 0: the whole stream, header first; k > 0: frame k on, no header. */
  readonly frame: number;
}

/** Where frame `index` begins in the encrypted stream (frame 0 begins after the header). */
export function frameOffset(index: number, frameSize = DEFAULT_FRAME_SIZE): number {
  return HEADER_BYTES + index * (frameSize + FRAME_OVERHEAD);
}

/** Where to start again to produce an encrypted stream from byte `offset` on. */
export interface StreamResume {
  /** The frame holding byte `offset` (the last frame when `offset` is the end). */
  readonly frame: number;
  /** The plaintext byte that frame begins with. */
  readonly plainOffset: number;
  /** Encrypted bytes of that frame's output (with the header, for frame 0) before `offset`. */
  readonly skip: number;
}

/** The frame to re-encrypt from so that the stream of `plainSize` bytes continues at `offset`. */
export function resumeAt(offset: number, plainSize: number, frameSize = DEFAULT_FRAME_SIZE): StreamResume {
  const total = encryptedSize(plainSize, frameSize);
  if (!Number.isSafeInteger(offset) || offset < 0 || offset > total) {
    throw new VirtpointError('INTERNAL', `offset ${offset} is outside an encrypted stream of ${total} bytes`);
  }
  const frames = Math.max(1, Math.ceil(plainSize / frameSize));
  const frame =
    offset < HEADER_BYTES
      ? 0
      : Math.min(frames - 1, Math.floor((offset - HEADER_BYTES) / (frameSize + FRAME_OVERHEAD)));
  return {
    frame,
    plainOffset: frame * frameSize,
    skip: offset - (frame === 0 ? 0 : frameOffset(frame, frameSize)),
  };
}

/**
 * Encrypts a stream: `push` chunks in, frames out; `end` flushes the last frame. With `start`,
 * the salt is the given one and the output begins at frame `start.frame` (plaintext pushed from
 * byte frame × frameSize): the same bytes as the original stream's from that frame on.
 */
export class FrameEncryptor {
  /** The object's salt (kept to start again with `start`). */
  readonly salt: Buffer;
  private readonly header: Buffer;
  private readonly key: Buffer;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private index = 0;
  private started = false;

  constructor(
    key: Uint8Array,
    random: RandomBytes,
    private readonly frameSize = DEFAULT_FRAME_SIZE,
    start?: EncryptorStart,
  ) {
    checkKey(key);
    if (!Number.isSafeInteger(frameSize) || frameSize < 1 || frameSize > 0xffffffff) {
      throw new VirtpointError('INTERNAL', `bad frame size ${frameSize}`);
    }
    if (
      start !== undefined &&
      (start.salt.length !== SALT || !Number.isSafeInteger(start.frame) || start.frame < 0)
    ) {
      throw new VirtpointError(
        'INTERNAL',
        `bad encryptor start (salt of ${start.salt.length} bytes, frame ${start.frame})`,
      );
    }
    this.salt = Buffer.from(start?.salt ?? random(SALT));
    if (start !== undefined && start.frame > 0) {
      this.index = start.frame;
      this.started = true;
    }
    this.header = Buffer.alloc(HEADER_BYTES);
    MAGIC.copy(this.header);
    this.header.writeUInt32BE(frameSize, MAGIC.length);
    Buffer.from(keyId(key), 'hex').copy(this.header, MAGIC.length + 4);
    this.salt.copy(this.header, MAGIC.length + 12);
    this.key = objectKey(key, this.salt);
  }

  push(chunk: Uint8Array): Buffer[] {
    const out = this.start();
    this.pending.push(Buffer.from(chunk));
    this.pendingBytes += chunk.length;
    // Keep at least one byte back: only `end` knows which frame is the last.
    while (this.pendingBytes > this.frameSize) out.push(this.frame(this.take(this.frameSize), false));
    return out;
  }

  end(): Buffer[] {
    const out = this.start();
    out.push(this.frame(this.take(this.pendingBytes), true));
    return out;
  }

  private start(): Buffer[] {
    if (this.started) return [];
    this.started = true;
    return [this.header];
  }

  private take(n: number): Buffer {
    const all = Buffer.concat(this.pending);
    this.pending = [all.subarray(n)];
    this.pendingBytes = all.length - n;
    return all.subarray(0, n);
  }

  private frame(plain: Buffer, last: boolean): Buffer {
    const nonce = nonceFor(this.key, this.index);
    const c = createCipheriv('aes-256-gcm', this.key, nonce);
    c.setAAD(aad(this.header, this.index++, last));
    const body = Buffer.concat([c.update(plain), c.final()]);
    return Buffer.concat([nonce, body, c.getAuthTag()]);
  }
}

/** Decrypts a stream: `push` encrypted chunks in, verified plaintext out; `end` checks the end. */
export class FrameDecryptor {
  private buf = Buffer.alloc(0);
  private parts: Buffer[] = [];
  private partBytes = 0;
  private header: Buffer | null = null;
  private key: Buffer | null = null;
  private frameSize = 0;
  private index = 0;
  private done = false;
  private seen = 0;

  constructor(
    private readonly targetKey: Uint8Array,
    /** Names the object in errors. */
    private readonly what = 'the object',
    /** The plaintext length when known (a manifest's size): a short object is DATA_TRUNCATED. */
    private readonly plainSize?: number,
  ) {
    checkKey(targetKey);
  }

  push(chunk: Uint8Array): Buffer[] {
    this.seen += chunk.length;
    // Chunks (16–64 KiB from a download) wait in a list until a whole frame is there: joined
    // once per frame, not once per chunk (that copied a 4 MiB frame ~100 times).
    this.parts.push(Buffer.from(chunk));
    this.partBytes += chunk.length;
    const out: Buffer[] = [];
    const need = this.header === null ? HEADER_BYTES : NONCE + this.frameSize + TAG + 1;
    if (this.buf.length + this.partBytes < need) return out;
    this.join();
    if (this.header === null && !this.readHeader()) return out;
    // A full frame that is not known to be the last: decrypt it only once more bytes follow.
    const full = NONCE + this.frameSize + TAG;
    while (this.buf.length > full) {
      if (this.done) throw this.corrupt('holds data after its last frame');
      out.push(this.open(this.buf.subarray(0, full), false));
      this.buf = this.buf.subarray(full);
    }
    return out;
  }

  end(): Buffer[] {
    this.join();
    if (this.header === null) {
      if (this.buf.length >= HEADER_BYTES || !this.readHeader()) throw this.truncated('its header');
    }
    if (this.plainSize !== undefined && this.seen < encryptedSize(this.plainSize, this.frameSize)) {
      throw this.truncated(
        `its end (${this.seen} of ${encryptedSize(this.plainSize, this.frameSize)} bytes)`,
      );
    }
    if (this.done) {
      if (this.buf.length === 0) return [];
      throw this.corrupt('holds data after its last frame');
    }
    if (this.buf.length < FRAME_OVERHEAD) throw this.truncated(`frame ${this.index}`);
    const out = this.open(this.buf, true);
    this.buf = Buffer.alloc(0);
    return [out];
  }

  /** The waiting chunks appended to `buf`. */
  private join(): void {
    if (this.parts.length === 0) return;
    this.buf = Buffer.concat([this.buf, ...this.parts]);
    this.parts = [];
    this.partBytes = 0;
  }

  private readHeader(): boolean {
    if (this.buf.length < HEADER_BYTES) return false;
    const h = this.buf.subarray(0, HEADER_BYTES);
    if (!h.subarray(0, MAGIC.length).equals(MAGIC)) {
      throw this.corrupt('is not a virtpoint encrypted object (bad header)');
    }
    const id = h.subarray(MAGIC.length + 4, MAGIC.length + 12).toString('hex');
    if (id !== keyId(this.targetKey)) {
      throw new VirtpointError(
        'ENCRYPTION_KEY_MISMATCH',
        `${this.what} was encrypted with key ${id}, this target's key is ${keyId(this.targetKey)}: ` +
          'give the key file it was written with (target add --encrypt-key-file)',
      );
    }
    this.frameSize = h.readUInt32BE(MAGIC.length);
    if (this.frameSize < 1) throw this.corrupt('has a bad frame size');
    this.header = Buffer.from(h);
    this.key = objectKey(this.targetKey, h.subarray(MAGIC.length + 12));
    this.buf = this.buf.subarray(HEADER_BYTES);
    return true;
  }

  private open(frame: Buffer, last: boolean): Buffer {
    const plain = this.tryOpen(frame, last);
    if (plain !== null) {
      this.index++;
      if (last) this.done = true;
      return plain;
    }
    // The stream ended after a frame that is not the last one: cut off on a frame boundary.
    if (last && this.tryOpen(frame, false) !== null)
      throw this.truncated(`the frames after frame ${this.index}`);
    throw this.corrupt(
      `frame ${this.index} fails authentication (altered, reordered or from another object)`,
    );
  }

  private tryOpen(frame: Buffer, last: boolean): Buffer | null {
    const d = createDecipheriv('aes-256-gcm', this.key!, frame.subarray(0, NONCE));
    d.setAAD(aad(this.header!, this.index, last));
    d.setAuthTag(frame.subarray(frame.length - TAG));
    try {
      return Buffer.concat([d.update(frame.subarray(NONCE, frame.length - TAG)), d.final()]);
    } catch {
      return null;
    }
  }

  private corrupt(what: string): VirtpointError {
    return new VirtpointError('DATA_CORRUPT', `${this.what} ${what}: nothing of it was used`);
  }

  private truncated(what: string): VirtpointError {
    return new VirtpointError(
      'DATA_TRUNCATED',
      `${this.what} ends before ${what}: it is incomplete; copy the point again`,
    );
  }
}

/** Whole-buffer helpers (tests, small objects such as manifests). */
export function encryptBuffer(
  key: Uint8Array,
  plain: Uint8Array,
  random: RandomBytes,
  frameSize?: number,
): Buffer {
  const e = new FrameEncryptor(key, random, frameSize);
  return Buffer.concat([...e.push(plain), ...e.end()]);
}

export function decryptBuffer(key: Uint8Array, data: Uint8Array, what?: string, plainSize?: number): Buffer {
  const d = new FrameDecryptor(key, what, plainSize);
  return Buffer.concat([...d.push(data), ...d.end()]);
}
