import test from 'ava';
import { isVirtpointError } from '../../../../src/core/errors.js';
import {
  encodeFrame,
  FrameDecoder,
  MessageStatus,
  MessageType,
  type Header,
} from '../../../../src/adapters/libvirt/frame.js';

const h = (serial: number, proc = 14): Header => ({
  prog: 0x20008086,
  vers: 1,
  proc,
  type: MessageType.REPLY,
  serial,
  status: MessageStatus.OK,
});

test('encode then decode one frame', (t) => {
  const buf = encodeFrame(h(9), Buffer.from('abcd'));
  t.is(buf.readUInt32BE(0), buf.length);
  const frames = new FrameDecoder().push(buf);
  t.is(frames.length, 1);
  t.deepEqual(frames[0]?.header, h(9));
  t.deepEqual(frames[0]?.body, Buffer.from('abcd'));
});

test('a frame split into single bytes', (t) => {
  const buf = encodeFrame(h(1), Buffer.alloc(100, 3));
  const dec = new FrameDecoder();
  const out = [];
  for (let i = 0; i < buf.length; i++) out.push(...dec.push(buf.subarray(i, i + 1)));
  t.is(out.length, 1);
  t.deepEqual(out[0]?.body, Buffer.alloc(100, 3));
  t.is(dec.pending, 0);
});

test('several frames in one chunk, plus a partial one', (t) => {
  const a = encodeFrame(h(1), Buffer.from('a'.repeat(8)));
  const b = encodeFrame(h(2));
  const c = encodeFrame(h(3), Buffer.alloc(12));
  const all = Buffer.concat([a, b, c]);
  const dec = new FrameDecoder();
  const first = dec.push(all.subarray(0, a.length + b.length + 5));
  t.deepEqual(
    first.map((f) => f.header.serial),
    [1, 2],
  );
  t.is(dec.pending, 5);
  const rest = dec.push(all.subarray(a.length + b.length + 5));
  t.deepEqual(
    rest.map((f) => f.header.serial),
    [3],
  );
  t.is(dec.pending, 0);
});

test('split inside the length word', (t) => {
  const buf = Buffer.concat([encodeFrame(h(5)), encodeFrame(h(6))]);
  const dec = new FrameDecoder();
  t.deepEqual(dec.push(buf.subarray(0, 2)), []);
  const out = [...dec.push(buf.subarray(2, 30)), ...dec.push(buf.subarray(30))];
  t.deepEqual(
    out.map((f) => f.header.serial),
    [5, 6],
  );
});

test('length below the header size is a protocol error', (t) => {
  const bad = Buffer.alloc(28);
  bad.writeUInt32BE(8, 0);
  t.true(
    isVirtpointError(
      t.throws(() => new FrameDecoder().push(bad)),
      'LIBVIRT_PROTOCOL',
    ),
  );
});

test('oversized length is a protocol error before the body arrives', (t) => {
  const big = Buffer.alloc(4);
  big.writeUInt32BE(64 * 1024 * 1024, 0);
  const e = t.throws(() => new FrameDecoder().push(big));
  t.true(isVirtpointError(e, 'LIBVIRT_PROTOCOL'));
  t.regex((e as Error).message, /over maximum/);
  const small = new FrameDecoder(1024);
  const f = encodeFrame(h(1), Buffer.alloc(2000));
  t.true(
    isVirtpointError(
      t.throws(() => small.push(f.subarray(0, 4))),
      'LIBVIRT_PROTOCOL',
    ),
  );
});
