import { createCipheriv, createHash } from 'node:crypto';

/**
 * Repeatable pseudo-random bytes: the same (seed, length) always gives the same bytes.
 * AES-128-CTR over zeros, keyed by sha256(seed): fast and incompressible.
 */
export function seededBytes(seed: string | number, length: number, offset = 0): Buffer {
  if (offset % 16 !== 0) throw new Error('seededBytes: offset must be a multiple of 16');
  const key = createHash('sha256').update(`virtpoint-seed:${seed}`).digest().subarray(0, 16);
  const iv = Buffer.alloc(16);
  iv.writeBigUInt64BE(BigInt(offset / 16), 8);
  const cipher = createCipheriv('aes-128-ctr', key, iv);
  return cipher.update(Buffer.alloc(length));
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
