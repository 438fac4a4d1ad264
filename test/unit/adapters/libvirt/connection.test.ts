import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { isVirtpointError, type VirtpointError } from '../../../../src/core/errors.js';
import { LibvirtClient } from '../../../../src/adapters/libvirt/client.js';
import { LibvirtConnection } from '../../../../src/adapters/libvirt/connection.js';
import { encodeFrame, MessageStatus, MessageType } from '../../../../src/adapters/libvirt/frame.js';
import { KeepaliveProc, REMOTE_PROGRAM, RemoteProc } from '../../../../src/adapters/libvirt/procedures.js';
import { writeDomain, XdrReader, XdrWriter } from '../../../../src/adapters/libvirt/xdr.js';
import { FakeLibvirtd } from '../../../helpers/fake-libvirtd.js';

const UUID = '94bbf2fe-f18f-4287-be16-e679adaab563';
const DOM = { name: 'vm1', uuid: UUID, id: 3 };
const GET_STATE = RemoteProc.DOMAIN_GET_STATE;

async function setup(
  opts: { keepaliveIntervalMs?: number; keepaliveCount?: number; callTimeoutMs?: number } = {},
) {
  const server = await FakeLibvirtd.start();
  const conn = await LibvirtConnection.open({ socketPath: server.path, keepaliveIntervalMs: 0, ...opts });
  return { server, conn };
}

/** Polls `cond` every 5 ms until it holds or `ms` pass (a loaded machine is slow, not wrong). */
async function until(cond: () => boolean, ms = 2_000): Promise<void> {
  for (const end = Date.now() + ms; !cond() && Date.now() < end;) await sleep(5);
}

function expectCode(code: string) {
  return (e: unknown) => isVirtpointError(e) && e.code === code;
}

test('handshake: AUTH_LIST, CONNECT_OPEN qemu:///system, keepalive feature', async (t) => {
  const { server, conn } = await setup();
  const procs = server.last?.calls.map((f) => f.header.proc);
  t.deepEqual(procs, [RemoteProc.AUTH_LIST, RemoteProc.CONNECT_OPEN, RemoteProc.CONNECT_SUPPORTS_FEATURE]);
  const open = new XdrReader(server.last?.calls[1]?.body ?? Buffer.alloc(0));
  t.is(open.optString(), 'qemu:///system');
  t.is(open.uint(), 0);
  await conn.close();
  t.true(server.last?.calls.some((f) => f.header.proc === RemoteProc.CONNECT_CLOSE));
  await server.stop();
});

test('falls back to the next socket path', async (t) => {
  const server = await FakeLibvirtd.start();
  const conn = await LibvirtConnection.open({
    socketPath: ['/nonexistent/libvirt-sock', server.path],
    keepaliveIntervalMs: 0,
  });
  t.is(conn.socketPath, server.path);
  await conn.close();
  await server.stop();
  await t.throwsAsync(LibvirtConnection.open({ socketPath: '/nonexistent/sock' }), {
    code: 'LIBVIRT_DISCONNECTED',
  } as never);
});

test('many calls in flight, answered out of order', async (t) => {
  const { server, conn } = await setup();
  const client = LibvirtClient.fromConnection(conn);
  const held: { reply: () => void }[] = [];
  server.handler = (c) => {
    const r = new XdrReader(c.body);
    r.string();
    r.opaqueFixed(16);
    const id = r.int();
    held.push({ reply: () => c.reply(new XdrWriter().int(id).int(id + 100)) });
    if (held.length === 50) for (const h of held.reverse()) h.reply();
  };
  const results = await Promise.all(
    Array.from({ length: 50 }, (_, i) => client.getDomainState({ ...DOM, id: i })),
  );
  t.deepEqual(
    results.map((r) => r.reason - r.state),
    Array(50).fill(100),
  );
  t.deepEqual(
    results.map((r) => r.state),
    Array.from({ length: 50 }, (_, i) => i),
  );
  await conn.close();
  await server.stop();
});

test('a libvirt error reply rejects that call with a coded error', async (t) => {
  const { server, conn } = await setup();
  server.handler = (c) => c.error(42, "Domain not found: no domain with matching name 'x'");
  const e = await t.throwsAsync(LibvirtClient.fromConnection(conn).lookupDomainByName('x'));
  t.is((e as VirtpointError).code, 'DOMAIN_NOT_FOUND');
  t.is((e as VirtpointError).details?.['libvirtCode'], 42);
  t.true(conn.isOpen);
  await conn.close();
  await server.stop();
});

test('a call times out with LIBVIRT_TIMEOUT; its late reply is ignored', async (t) => {
  const { server, conn } = await setup({ callTimeoutMs: 50 });
  let late: (() => void) | null = null;
  server.handler = (c) => {
    late = () => c.reply(new XdrWriter().int(1).int(1));
  };
  await t.throwsAsync(conn.call(GET_STATE, null), { code: 'LIBVIRT_TIMEOUT' } as never);
  (late as (() => void) | null)?.();
  await sleep(30);
  t.true(conn.isOpen);
  server.handler = (c) => c.reply(new XdrWriter().int(5).int(0));
  const w = new XdrWriter();
  writeDomain(w, DOM);
  t.is((await LibvirtClient.fromConnection(conn).getDomainState(DOM)).state, 5);
  await conn.close();
  await server.stop();
});

test('server PING is answered with PONG', async (t) => {
  const { server, conn } = await setup();
  t.teardown(() => server.stop());
  server.last?.ping();
  await until(() => (server.last?.keepalives.length ?? 0) > 0);
  await sleep(20); // and no second answer
  const ka = server.last?.keepalives ?? [];
  t.is(ka.length, 1);
  t.is(ka[0]?.header.proc, KeepaliveProc.PONG);
  t.is(ka[0]?.header.type, MessageType.MESSAGE);
  t.is(ka[0]?.header.serial, 0);
  await conn.close();
  await server.stop();
});

test('our pings keep an answering server alive', async (t) => {
  // More pings than the dead count go by while the server answers: the connection stays open.
  // (Dead after 5 unanswered: a loaded test host stalls the event loop now and then; bounded wait.)
  const { server, conn } = await setup({ keepaliveIntervalMs: 20, keepaliveCount: 5 });
  t.teardown(async () => {
    await conn.close();
    await server.stop();
  });
  await until(() => (server.last?.keepalives.length ?? 0) >= 12 || !conn.isOpen, 10_000);
  t.true(conn.isOpen);
  t.true((server.last?.keepalives.length ?? 0) >= 12);
});

test('missed PONGs declare the connection dead and reject calls in flight', async (t) => {
  const { server, conn } = await setup({ keepaliveIntervalMs: 20, keepaliveCount: 3, callTimeoutMs: 5000 });
  const srv = server.last;
  if (srv) srv.answerPings = false;
  server.handler = () => undefined; // never answers
  const closed = new Promise<VirtpointError | null>((resolve) => conn.once('close', resolve));
  const e = await t.throwsAsync(conn.call(GET_STATE, null));
  t.is((e as VirtpointError).code, 'LIBVIRT_DISCONNECTED');
  t.regex((e as Error).message, /keepalive/);
  t.is((await closed)?.code, 'LIBVIRT_DISCONNECTED');
  t.false(conn.isOpen);
  await t.throwsAsync(conn.call(GET_STATE, null), { code: 'LIBVIRT_DISCONNECTED' } as never);
  await server.stop();
});

for (const [name, bytes, code] of [
  ['bad length (below header size)', () => Buffer.from([0, 0, 0, 8, 1, 2, 3, 4]), 'LIBVIRT_PROTOCOL'],
  [
    'oversized frame',
    () => {
      const b = Buffer.alloc(4);
      b.writeUInt32BE(100 * 1024 * 1024, 0);
      return b;
    },
    'LIBVIRT_PROTOCOL',
  ],
  [
    'reply to an unknown serial',
    () =>
      encodeFrame({
        prog: REMOTE_PROGRAM,
        vers: 1,
        proc: GET_STATE,
        type: MessageType.REPLY,
        serial: 999999,
        status: 0,
      }),
    'LIBVIRT_PROTOCOL',
  ],
  [
    'truncated frame then close',
    () =>
      encodeFrame({ prog: REMOTE_PROGRAM, vers: 1, proc: GET_STATE, type: 1, serial: 4, status: 0 }).subarray(
        0,
        20,
      ),
    'LIBVIRT_DISCONNECTED',
  ],
] as const) {
  test(`malformed input: ${name} → ${code}, no hang`, async (t) => {
    const { server, conn } = await setup({ callTimeoutMs: 10_000 });
    server.handler = (c) => {
      c.conn.write(bytes());
      if (code === 'LIBVIRT_DISCONNECTED') setTimeout(() => c.conn.destroy(), 20);
    };
    const closed = new Promise<VirtpointError | null>((resolve) => conn.once('close', resolve));
    const e = await t.throwsAsync(conn.call(GET_STATE, null));
    t.is((e as VirtpointError).code, code);
    t.is((await closed)?.code, code);
    t.false(conn.isOpen);
    await server.stop();
  });
}

test('a reply whose body does not decode rejects only that call', async (t) => {
  const { server, conn } = await setup();
  const client = LibvirtClient.fromConnection(conn);
  server.handler = (c) => c.reply(Buffer.from([0, 0]));
  await t.throwsAsync(client.getDomainState(DOM), { code: 'LIBVIRT_PROTOCOL' } as never);
  t.true(conn.isOpen);
  await conn.close();
  await server.stop();
});

test('an error reply with an undecodable body is a protocol error', async (t) => {
  const { server, conn } = await setup();
  server.handler = (c) =>
    c.conn.send(
      { proc: c.header.proc, serial: c.header.serial, status: MessageStatus.ERROR },
      Buffer.from([0, 0, 0, 1]),
    );
  await t.throwsAsync(conn.call(GET_STATE, null), { code: 'LIBVIRT_PROTOCOL' } as never);
  await conn.close();
  await server.stop();
});

test('libvirtd going away rejects every call in flight with LIBVIRT_DISCONNECTED', async (t) => {
  const { server, conn } = await setup();
  server.handler = () => undefined;
  const calls = Array.from({ length: 10 }, () => conn.call(GET_STATE, null));
  await sleep(30);
  await server.stop();
  const results = await Promise.allSettled(calls);
  t.true(results.every((r) => r.status === 'rejected' && expectCode('LIBVIRT_DISCONNECTED')(r.reason)));
});
