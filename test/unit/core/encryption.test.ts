import { randomBytes } from 'node:crypto';
import test from 'ava';

import {
  decryptBuffer,
  encryptBuffer,
  encryptedSize,
  FRAME_OVERHEAD,
  FrameDecryptor,
  FrameEncryptor,
  HEADER_BYTES,
  keyId,
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

test('the same input encrypts differently each time (fresh salt and nonces); no plaintext shows', (t) => {
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
