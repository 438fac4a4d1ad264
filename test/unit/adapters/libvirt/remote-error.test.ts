import test from 'ava';
import {
  decodeRemoteError,
  mapLibvirtCode,
  remoteErrorToVirtpoint,
} from '../../../../src/adapters/libvirt/remote-error.js';
import { writeDomain, XdrWriter } from '../../../../src/adapters/libvirt/xdr.js';

const UUID = '94bbf2fe-f18f-4287-be16-e679adaab563';

test('remote_error is decoded in full', (t) => {
  const w = new XdrWriter()
    .int(42)
    .int(10)
    .optString("Domain not found: no domain with matching name 'x'")
    .int(2);
  w.bool(true);
  writeDomain(w, { name: 'x', uuid: UUID, id: -1 });
  w.optString('Domain not found: %s')
    .optString("no domain with matching name 'x'")
    .optString(null)
    .int(3)
    .int(-1);
  w.bool(true).string('default').opaqueFixed(Buffer.alloc(16, 1), 16);
  const e = decodeRemoteError(w.toBuffer());
  t.is(e.code, 42);
  t.is(e.domain, 10);
  t.is(e.level, 2);
  t.deepEqual(e.dom, { name: 'x', uuid: UUID, id: -1 });
  t.is(e.str1, 'Domain not found: %s');
  t.is(e.str2, "no domain with matching name 'x'");
  t.is(e.str3, null);
  t.is(e.int1, 3);
  t.is(e.int2, -1);
  t.is(e.net?.name, 'default');
  const v = remoteErrorToVirtpoint(e, { prog: 0x20008086, proc: 23 });
  t.is(v.code, 'DOMAIN_NOT_FOUND');
  t.is(v.message, e.message as string);
  t.is(v.details?.['libvirtCode'], 42);
  t.is(v.details?.['libvirtMessage'], e.message);
  t.is(v.details?.['proc'], 23);
});

test('libvirt error numbers map to our codes', (t) => {
  const m = (code: number, message: string | null = null) => mapLibvirtCode({ code, message });
  t.is(m(42), 'DOMAIN_NOT_FOUND');
  t.is(m(103), 'CHECKPOINT_NOT_FOUND');
  t.is(m(109), 'CHECKPOINT_INCONSISTENT');
  t.is(m(86), 'AGENT_UNAVAILABLE');
  t.is(m(97), 'AGENT_UNAVAILABLE');
  t.is(m(74, 'argument unsupported: QEMU guest agent is not configured'), 'AGENT_UNAVAILABLE');
  t.is(m(74, 'argument unsupported: something else'), 'UNSUPPORTED');
  t.is(m(68), 'LIBVIRT_TIMEOUT');
  t.is(m(55), 'INVALID_STATE');
  t.is(m(49), 'POOL_NOT_FOUND');
  t.is(m(50), 'VOLUME_NOT_FOUND');
  t.is(m(27), 'INVALID_ARGUMENT');
  t.is(m(1), 'LIBVIRT_ERROR');
  t.is(m(9999), 'LIBVIRT_ERROR');
});

test('an error without message still has one', (t) => {
  const w = new XdrWriter().int(1).int(0).optString(null).int(2).bool(false);
  w.optString(null).optString(null).optString(null).int(0).int(0).bool(false);
  const v = remoteErrorToVirtpoint(decodeRemoteError(w.toBuffer()));
  t.is(v.code, 'LIBVIRT_ERROR');
  t.regex(v.message, /libvirt error 1/);
});
