import test from 'ava';
import { isVirtpointError } from '../../../../src/core/errors.js';
import {
  readTypedParam,
  TypedParamType,
  typedParamsToRecord,
  writeTypedParam,
} from '../../../../src/adapters/libvirt/typed-params.js';
import {
  readCheckpoint,
  readDomain,
  readPool,
  readVolume,
  uuidFromBytes,
  uuidToBytes,
  writeCheckpoint,
  writeDomain,
  writePool,
  writeVolume,
  XdrReader,
  XdrWriter,
} from '../../../../src/adapters/libvirt/xdr.js';

const UUID = '94bbf2fe-f18f-4287-be16-e679adaab563';

test('scalars round trip', (t) => {
  const w = new XdrWriter(4)
    .int(-5)
    .int(0x7fffffff)
    .uint(0xffffffff)
    .hyper(-(2n ** 62n))
    .uhyper(2n ** 64n - 1n)
    .double(1.5)
    .bool(true)
    .bool(false);
  const r = new XdrReader(w.toBuffer());
  t.is(r.int(), -5);
  t.is(r.int(), 0x7fffffff);
  t.is(r.uint(), 0xffffffff);
  t.is(r.hyper(), -(2n ** 62n));
  t.is(r.uhyper(), 2n ** 64n - 1n);
  t.is(r.double(), 1.5);
  t.true(r.bool());
  t.false(r.bool());
  r.end();
});

test('strings and opaque are padded to 4 bytes', (t) => {
  const w = new XdrWriter()
    .string('abcde')
    .opaque(Buffer.from([1, 2]))
    .opaqueFixed(Buffer.alloc(3, 7), 3)
    .string('');
  const buf = w.toBuffer();
  t.is(buf.length, 4 + 8 + 4 + 4 + 4 + 4);
  const r = new XdrReader(buf);
  t.is(r.string(), 'abcde');
  t.deepEqual(r.opaque(), Buffer.from([1, 2]));
  t.deepEqual(r.opaqueFixed(3), Buffer.alloc(3, 7));
  t.is(r.string(), '');
  r.end();
});

test('utf-8 strings keep their byte length', (t) => {
  const r = new XdrReader(new XdrWriter().string('备份点').toBuffer());
  t.is(r.string(), '备份点');
});

test('optional and arrays round trip', (t) => {
  const w = new XdrWriter()
    .optString('x')
    .optString(null)
    .array([1, 2, 3], (x, v) => x.int(v))
    .array([] as string[], (x, v) => x.string(v));
  const r = new XdrReader(w.toBuffer());
  t.is(r.optString(), 'x');
  t.is(r.optString(), null);
  t.deepEqual(
    r.array((x) => x.int()),
    [1, 2, 3],
  );
  t.deepEqual(
    r.array((x) => x.string()),
    [],
  );
  r.end();
});

test('object references round trip', (t) => {
  const dom = { name: 'vm1', uuid: UUID, id: 7 };
  const w = new XdrWriter();
  writeDomain(w, dom);
  writeCheckpoint(w, { name: 'c0', domain: dom });
  writePool(w, { name: 'default', uuid: UUID });
  writeVolume(w, { pool: 'default', name: 'a.qcow2', key: '/p/a.qcow2' });
  const r = new XdrReader(w.toBuffer());
  t.deepEqual(readDomain(r), dom);
  t.deepEqual(readCheckpoint(r), { name: 'c0', domain: dom });
  t.deepEqual(readPool(r), { name: 'default', uuid: UUID });
  t.deepEqual(readVolume(r), { pool: 'default', name: 'a.qcow2', key: '/p/a.qcow2' });
  r.end();
});

test('uuid conversion', (t) => {
  t.is(uuidFromBytes(uuidToBytes(UUID.toUpperCase())), UUID);
  t.is(uuidToBytes(UUID.replace(/-/g, '')).length, 16);
  t.throws(() => uuidToBytes('nope'), { code: 'INVALID_ARGUMENT' } as never);
});

test('typed params of every type round trip', (t) => {
  const params = [
    { field: 'i', type: TypedParamType.INT, value: -3 },
    { field: 'u', type: TypedParamType.UINT, value: 4000000000 },
    { field: 'l', type: TypedParamType.LLONG, value: -(2n ** 40n) },
    { field: 'ul', type: TypedParamType.ULLONG, value: 2n ** 63n },
    { field: 'd', type: TypedParamType.DOUBLE, value: 0.25 },
    { field: 'b', type: TypedParamType.BOOLEAN, value: true },
    { field: 's', type: TypedParamType.STRING, value: 'hello' },
  ];
  const w = new XdrWriter();
  for (const p of params) writeTypedParam(w, p);
  const r = new XdrReader(w.toBuffer());
  const back = params.map(() => readTypedParam(r));
  r.end();
  t.deepEqual(back, params);
  const rec = typedParamsToRecord(back);
  t.is(rec['l'], -(2 ** 40));
  t.is(rec['ul'], 2n ** 63n);
});

test('unknown typed param type is a protocol error', (t) => {
  const r = new XdrReader(new XdrWriter().string('x').int(99).int(0).toBuffer());
  const e = t.throws(() => readTypedParam(r));
  t.true(isVirtpointError(e, 'LIBVIRT_PROTOCOL'));
});

test('short and malformed bodies are protocol errors', (t) => {
  for (const f of [
    () => new XdrReader(Buffer.alloc(2)).int(),
    () => new XdrReader(Buffer.alloc(7)).hyper(),
    () => new XdrReader(new XdrWriter().uint(100).toBuffer()).string(),
    () => new XdrReader(new XdrWriter().uint(1 << 30).toBuffer()).array((r) => r.int()),
    () => new XdrReader(new XdrWriter().int(2).toBuffer()).bool(),
    () => new XdrReader(Buffer.alloc(8)).end(),
  ]) {
    t.true(isVirtpointError(t.throws(f), 'LIBVIRT_PROTOCOL'));
  }
});

test('writer rejects out-of-range ints', (t) => {
  t.throws(() => new XdrWriter().int(2 ** 31));
  t.throws(() => new XdrWriter().uint(-1));
  t.throws(() => new XdrWriter().int(1.5));
});
