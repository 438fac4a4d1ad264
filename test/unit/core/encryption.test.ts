import { createCipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import test from 'ava';

import {
  decryptBuffer,
  encryptBuffer,
  encryptedSize,
  FRAME_OVERHEAD,
  FrameDecryptor,
  FrameEncryptor,
  frameOffset,
  HEADER_BYTES,
  keyId,
  resumeAt,
} from '../../../src/core/encryption.js';
import { seededBytes } from '../../helpers/seeded.js';

const KEY = seededBytes('key', 32);
const OTHER = seededBytes('other key', 32);
const FRAME = 1000;
const PLAIN = seededBytes('plain', 3500); // 3 full frames and a short last one

const enc = (plain: Buffer = PLAIN) => encryptBuffer(KEY, plain, randomBytes, FRAME);
const frameAt = (i: number) => HEADER_BYTES + i * (FRAME + FRAME_OVERHEAD);

test('round trip in one piece and in odd chunks; the size is what encryptedSize says', (t) => {
  const data = enc();
  t.is(data.length, encryptedSize(PLAIN.length, FRAME));
  t.deepEqual(decryptBuffer(KEY, data), PLAIN);
  const d = new FrameDecryptor(KEY);
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += 333) out.push(...d.push(data.subarray(i, i + 333)));
  out.push(...d.end());
  t.deepEqual(Buffer.concat(out), PLAIN);
  t.true(
    out.every((b) => b.length <= FRAME),
    'never more than one frame at a time',
  );
});

test('edge sizes: empty, exactly one frame, an exact multiple of frames', (t) => {
  for (const n of [0, 1, FRAME, 3 * FRAME]) {
    const plain = seededBytes(`n${n}`, n);
    const data = enc(plain);
    t.is(data.length, encryptedSize(n, FRAME), `size for ${n}`);
    t.deepEqual(decryptBuffer(KEY, data), plain, `round trip of ${n}`);
  }
});

test('the same input encrypts differently each time (a fresh salt: another object key, other nonces); no plaintext shows', (t) => {
  const a = enc();
  const b = enc();
  t.notDeepEqual(a, b);
  t.false(a.includes(PLAIN.subarray(0, 32)));
});

test('the wrong key: ENCRYPTION_KEY_MISMATCH naming both key ids, nothing returned', (t) => {
  const d = new FrameDecryptor(OTHER, 'vda.0.qcow2.enc');
  const e = t.throws(() => d.push(enc()), { code: 'ENCRYPTION_KEY_MISMATCH' });
  t.true(e!.message.includes(keyId(KEY)) && e!.message.includes(keyId(OTHER)));
  t.regex(e!.message, /vda\.0\.qcow2\.enc/);
});

test('one flipped byte anywhere in a frame: DATA_CORRUPT before any of that frame is given out', (t) => {
  for (const at of [frameAt(0) + 3, frameAt(1) + 500, frameAt(3) + 20, enc().length - 1]) {
    const data = enc();
    data[at] = data[at]! ^ 0x01;
    const d = new FrameDecryptor(KEY);
    const frameIndex = Math.floor((at - HEADER_BYTES) / (FRAME + FRAME_OVERHEAD));
    let given = 0;
    const e = t.throws(() => {
      for (let i = 0; i < data.length; i += 100)
        given += Buffer.concat(d.push(data.subarray(i, i + 100))).length;
      d.end();
    });
    t.is((e as { code?: string }).code, 'DATA_CORRUPT', `byte ${at}`);
    t.true(given <= frameIndex * FRAME, `only the frames before ${frameIndex} were given out`);
  }
});

test('a flipped byte in the header: DATA_CORRUPT (magic) or ENCRYPTION_KEY_MISMATCH (key id) or DATA_CORRUPT (salt)', (t) => {
  const cases: [number, string][] = [
    [0, 'DATA_CORRUPT'],
    [13, 'ENCRYPTION_KEY_MISMATCH'],
    [HEADER_BYTES - 1, 'DATA_CORRUPT'],
  ];
  for (const [at, code] of cases) {
    const data = enc();
    data[at] = data[at]! ^ 0x80;
    t.throws(() => decryptBuffer(KEY, data), { code }, `header byte ${at}`);
  }
});

test('frames swapped, or one dropped: DATA_CORRUPT', (t) => {
  const data = enc();
  const f = (i: number) => data.subarray(frameAt(i), frameAt(i + 1));
  const header = data.subarray(0, HEADER_BYTES);
  const last = data.subarray(frameAt(3));
  const swapped = Buffer.concat([header, f(1), f(0), f(2), last]);
  t.throws(() => decryptBuffer(KEY, swapped), { code: 'DATA_CORRUPT', message: /frame 0/ });
  const dropped = Buffer.concat([header, f(0), f(2), last]);
  t.throws(() => decryptBuffer(KEY, dropped), { code: 'DATA_CORRUPT', message: /frame 1/ });
  const fromOther = enc();
  const spliced = Buffer.concat([header, f(0), fromOther.subarray(frameAt(1), frameAt(2)), f(2), last]);
  t.throws(() => decryptBuffer(KEY, spliced), { code: 'DATA_CORRUPT' }, 'a frame of another object');
});

test('a cut-off stream: DATA_TRUNCATED on a frame boundary, in the header, or short of the known size', (t) => {
  const data = enc();
  t.throws(() => decryptBuffer(KEY, data.subarray(0, frameAt(2))), { code: 'DATA_TRUNCATED' });
  t.throws(() => decryptBuffer(KEY, data.subarray(0, 10)), { code: 'DATA_TRUNCATED' });
  t.throws(() => decryptBuffer(KEY, data.subarray(0, frameAt(1) + 10), 'x', PLAIN.length), {
    code: 'DATA_TRUNCATED',
  });
  t.throws(() => decryptBuffer(KEY, Buffer.alloc(0)), { code: 'DATA_TRUNCATED' });
});

test('bytes after the last frame: DATA_CORRUPT', (t) => {
  const data = Buffer.concat([enc(), Buffer.from('x')]);
  t.throws(() => decryptBuffer(KEY, data), { code: 'DATA_CORRUPT' });
});

test('a key must be 32 bytes; the key id is stable, short and not the key', (t) => {
  t.throws(() => new FrameEncryptor(Buffer.alloc(16), randomBytes), {
    code: 'INVALID_ARGUMENT',
    message: /32 bytes/,
  });
  t.is(keyId(KEY), keyId(Buffer.from(KEY)));
  t.regex(keyId(KEY), /^[0-9a-f]{16}$/);
  t.not(keyId(KEY), keyId(OTHER));
  t.false(Buffer.from(KEY).toString('hex').includes(keyId(KEY)));
});

const SALT = seededBytes('salt', 16);
const fixedSalt = () => Buffer.from(SALT);
/** The whole stream with a known salt, pushed in `chunk`-byte pieces. */
function stream(e: FrameEncryptor, plain: Buffer, chunk: number): Buffer {
  const out: Buffer[] = [];
  for (let i = 0; i < plain.length; i += chunk) out.push(...e.push(plain.subarray(i, i + chunk)));
  out.push(...e.end());
  return Buffer.concat(out);
}

test('nonce_i = first 12 bytes of HMAC-SHA256(object key, "virtpoint nonce v1" | u64 BE i), stored in each frame', (t) => {
  const data = encryptBuffer(KEY, PLAIN, fixedSalt, FRAME);
  t.deepEqual(data.subarray(HEADER_BYTES - 16, HEADER_BYTES), SALT, 'the salt is in the header');
  const objKey = Buffer.from(hkdfSync('sha256', KEY, SALT, 'virtpoint frames v1', 32));
  const nonces = new Set<string>();
  for (let i = 0; i < 4; i++) {
    const idx = Buffer.alloc(8);
    idx.writeBigUInt64BE(BigInt(i));
    const want = createHmac('sha256', objKey)
      .update('virtpoint nonce v1')
      .update(idx)
      .digest()
      .subarray(0, 12);
    t.deepEqual(data.subarray(frameAt(i), frameAt(i) + 12), want, `frame ${i}`);
    nonces.add(want.toString('hex'));
  }
  t.is(nonces.size, 4, 'no nonce repeats within an object');
  t.deepEqual(encryptBuffer(KEY, PLAIN, fixedSalt, FRAME), data, 'same salt: the same bytes');
  t.notDeepEqual(enc().subarray(frameAt(0), frameAt(0) + 12), data.subarray(frameAt(0), frameAt(0) + 12));
});

test('an object written with random nonces (older virtpointd) still decrypts', (t) => {
  // Frames built as the old encryptor did: nonce from the random source, same AAD.
  const header = encryptBuffer(KEY, PLAIN, fixedSalt, FRAME).subarray(0, HEADER_BYTES);
  const objKey = Buffer.from(hkdfSync('sha256', KEY, SALT, 'virtpoint frames v1', 32));
  const frames = [0, 1, 2, 3].map((i) => {
    const nonce = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', objKey, nonce);
    const aad = Buffer.alloc(HEADER_BYTES + 9);
    header.copy(aad);
    aad.writeBigUInt64BE(BigInt(i), HEADER_BYTES);
    aad[HEADER_BYTES + 8] = i === 3 ? 1 : 0;
    c.setAAD(aad);
    const body = Buffer.concat([c.update(PLAIN.subarray(i * FRAME, (i + 1) * FRAME)), c.final()]);
    return Buffer.concat([nonce, body, c.getAuthTag()]);
  });
  t.deepEqual(decryptBuffer(KEY, Buffer.concat([header, ...frames])), PLAIN);
});

test('an encryptor started at frame k with the salt gives exactly the tail of the whole stream from frame k', (t) => {
  const whole = stream(new FrameEncryptor(KEY, fixedSalt, FRAME), PLAIN, 777);
  t.deepEqual(decryptBuffer(KEY, whole), PLAIN);
  const noRandom = () => {
    throw new Error('a started encryptor takes no randomness');
  };
  for (const k of [0, 1, 2, 3]) {
    const e = new FrameEncryptor(KEY, noRandom, FRAME, { salt: SALT, frame: k });
    t.deepEqual(e.salt, SALT);
    const tail = stream(e, PLAIN.subarray(k * FRAME), 333);
    const from = k === 0 ? 0 : frameOffset(k, FRAME);
    t.is(tail.length, whole.length - from, `frame ${k}: no header after frame 0`);
    t.deepEqual(tail, whole.subarray(from), `frame ${k}`);
  }
  t.throws(() => new FrameEncryptor(KEY, noRandom, FRAME, { salt: Buffer.alloc(8), frame: 1 }), {
    code: 'INTERNAL',
  });
  t.throws(() => new FrameEncryptor(KEY, noRandom, FRAME, { salt: SALT, frame: -1 }), { code: 'INTERNAL' });
});

test('resumeAt: the frame holding an offset, where its plaintext begins, and the bytes to drop', (t) => {
  const whole = encryptBuffer(KEY, PLAIN, fixedSalt, FRAME);
  for (const offset of [
    0,
    5,
    HEADER_BYTES,
    frameAt(1) - 1,
    frameAt(1),
    frameAt(2) + 17,
    frameAt(3) + 1,
    whole.length,
  ]) {
    const r = resumeAt(offset, PLAIN.length, FRAME);
    const e = new FrameEncryptor(KEY, randomBytes, FRAME, { salt: SALT, frame: r.frame });
    const tail = stream(e, PLAIN.subarray(r.plainOffset), 1000).subarray(r.skip);
    t.deepEqual(tail, whole.subarray(offset), `offset ${offset}`);
  }
  t.like(resumeAt(frameAt(2) + 17, PLAIN.length, FRAME), { frame: 2, plainOffset: 2 * FRAME, skip: 17 });
  t.like(resumeAt(whole.length, PLAIN.length, FRAME), { frame: 3, skip: whole.length - frameAt(3) });
  t.like(resumeAt(10, 0, FRAME), { frame: 0, plainOffset: 0, skip: 10 });
  t.throws(() => resumeAt(whole.length + 1, PLAIN.length, FRAME), { code: 'INTERNAL' });
});
