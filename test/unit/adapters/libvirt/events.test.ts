import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import type { HypervisorEvent } from '../../../../src/ports/hypervisor.js';
import { decodeDomainEvent } from '../../../../src/adapters/libvirt/events.js';
import { decodeFrame, encodeFrame, MessageType } from '../../../../src/adapters/libvirt/frame.js';
import { LibvirtHypervisor } from '../../../../src/adapters/libvirt/hypervisor.js';
import { REMOTE_PROGRAM, RemoteProc } from '../../../../src/adapters/libvirt/procedures.js';
import { LibvirtSupervisor } from '../../../../src/adapters/libvirt/supervisor.js';
import { TypedParamType, writeTypedParam } from '../../../../src/adapters/libvirt/typed-params.js';
import { writeDomain, XdrWriter } from '../../../../src/adapters/libvirt/xdr.js';
import { FakeLibvirtd } from '../../../helpers/fake-libvirtd.js';

const UUID = '94bbf2fe-f18f-4287-be16-e679adaab563';
const DOM = { name: 'vm1', uuid: UUID, id: 3 };

function eventBody(callbackId: number, rest: (w: XdrWriter) => void): XdrWriter {
  const w = new XdrWriter().int(callbackId);
  writeDomain(w, DOM);
  rest(w);
  return w;
}

function frame(proc: number, w: XdrWriter) {
  return decodeFrame(
    encodeFrame(
      { prog: REMOTE_PROGRAM, vers: 1, proc, type: MessageType.MESSAGE, serial: 0, status: 0 },
      w.toBuffer(),
    ),
  );
}

test('decodes lifecycle, block-job-2, agent-lifecycle and job-completed', (t) => {
  const life = decodeDomainEvent(
    frame(
      RemoteProc.DOMAIN_EVENT_CALLBACK_LIFECYCLE,
      eventBody(1, (w) => w.int(5).int(1)),
    ),
  );
  t.deepEqual(life, {
    callbackId: 1,
    event: { kind: 'lifecycle', domainUuid: UUID, domainName: 'vm1', event: 'stopped', detail: 1 },
  });
  const bj = decodeDomainEvent(
    frame(
      RemoteProc.DOMAIN_EVENT_BLOCK_JOB_2,
      eventBody(2, (w) => w.string('vda').int(5).int(0)),
    ),
  );
  t.deepEqual(bj?.event, {
    kind: 'block-job',
    domainUuid: UUID,
    domainName: 'vm1',
    disk: 'vda',
    jobType: 5,
    status: 0,
  });
  const ag = decodeDomainEvent(
    frame(
      RemoteProc.DOMAIN_EVENT_CALLBACK_AGENT_LIFECYCLE,
      eventBody(3, (w) => w.int(1).int(2)),
    ),
  );
  t.deepEqual(ag?.event, {
    kind: 'agent-lifecycle',
    domainUuid: UUID,
    domainName: 'vm1',
    state: 'connected',
    reason: 2,
  });
  const jc = decodeDomainEvent(
    frame(
      RemoteProc.DOMAIN_EVENT_CALLBACK_JOB_COMPLETED,
      eventBody(4, (w) =>
        w.array(
          [
            { field: 'operation', type: TypedParamType.INT, value: 9 },
            { field: 'time_elapsed', type: TypedParamType.ULLONG, value: 24n },
            { field: 'disk_total', type: TypedParamType.ULLONG, value: 1024n },
            { field: 'disk_processed', type: TypedParamType.ULLONG, value: 512n },
            { field: 'success', type: TypedParamType.BOOLEAN, value: true },
          ],
          (x, p) => writeTypedParam(x, p),
        ),
      ),
    ),
  );
  const ev = jc?.event;
  t.is(ev?.kind, 'job-completed');
  if (ev?.kind === 'job-completed') {
    t.is(ev.stats.type, 'completed');
    t.is(ev.stats.operation, 'backup');
    t.is(ev.stats.dataTotal, 1024);
    t.is(ev.stats.dataProcessed, 512);
    t.is(ev.stats.timeElapsedMs, 24);
  }
  t.is(decodeDomainEvent(frame(9999, new XdrWriter())), null);
});

test('hypervisor: events registered, delivered, deregistered on close', async (t) => {
  const server = await FakeLibvirtd.start();
  const hv = await LibvirtHypervisor.connect({ socketPath: server.path, keepaliveIntervalMs: 0 });
  const got: HypervisorEvent[] = [];
  hv.onEvent((e) => got.push(e));
  const conn = server.last;
  const regs =
    conn?.calls.filter((f) => f.header.proc === RemoteProc.CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY) ?? [];
  t.is(regs.length, 4);
  conn?.send(
    { proc: RemoteProc.DOMAIN_EVENT_CALLBACK_LIFECYCLE, type: MessageType.MESSAGE },
    eventBody(1, (w) => w.int(2).int(0)),
  );
  // a callback id we never registered is ignored
  conn?.send(
    { proc: RemoteProc.DOMAIN_EVENT_CALLBACK_LIFECYCLE, type: MessageType.MESSAGE },
    eventBody(77, (w) => w.int(2).int(0)),
  );
  await sleep(50);
  t.deepEqual(got, [{ kind: 'lifecycle', domainUuid: UUID, domainName: 'vm1', event: 'started', detail: 0 }]);
  await hv.close();
  const deregs = conn?.calls.filter(
    (f) => f.header.proc === RemoteProc.CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY,
  );
  t.is(deregs?.length, 4);
  await server.stop();
});

test('supervisor reconnects with backoff and registers events again', async (t) => {
  const first = await FakeLibvirtd.start();
  const sup = new LibvirtSupervisor({
    socketPath: first.path,
    keepaliveIntervalMs: 0,
    reconnectMinMs: 20,
    reconnectMaxMs: 50,
  });
  const states: boolean[] = [];
  sup.on('connection', (c) => states.push(c));
  await sup.ready(2000);
  first.handler = () => undefined;
  const inFlight = sup.client().connection.call(RemoteProc.DOMAIN_GET_STATE, null);
  await first.stop({ keepDir: true });
  await t.throwsAsync(inFlight, { code: 'LIBVIRT_DISCONNECTED' } as never);
  t.throws(() => sup.client(), { code: 'LIBVIRT_DISCONNECTED' } as never);
  await sleep(100); // a few failed attempts while nothing listens
  const second = await FakeLibvirtd.start(first.path);
  await sup.ready(2000);
  t.deepEqual(states, [true, false, true]);
  const regs = second.last?.calls.filter(
    (f) => f.header.proc === RemoteProc.CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY,
  );
  t.is(regs?.length, 4);
  await sup.stop();
  await second.stop();
});

test('hypervisor maps a domain from XML and state over the wire', async (t) => {
  const server = await FakeLibvirtd.start();
  server.handler = (c) => {
    switch (c.header.proc) {
      case RemoteProc.DOMAIN_LOOKUP_BY_NAME: {
        const w = new XdrWriter();
        writeDomain(w, DOM);
        return c.reply(w);
      }
      case RemoteProc.DOMAIN_GET_XML_DESC:
        return c.reply(
          new XdrWriter().string(
            "<domain><name>vm1</name><devices><disk type='file' device='disk'><driver type='qcow2'/><source file='/x.qcow2'/><target dev='vda' bus='virtio'/></disk></devices></domain>",
          ),
        );
      case RemoteProc.DOMAIN_GET_STATE:
        return c.reply(new XdrWriter().int(1).int(1));
      default:
        return c.error(3, 'unsupported');
    }
  };
  const hv = await LibvirtHypervisor.connect({ socketPath: server.path, keepaliveIntervalMs: 0 });
  const d = await hv.lookupDomain('vm1');
  t.is(d.uuid, UUID);
  t.is(d.state, 'running');
  t.is(d.disks[0]?.sourcePath, '/x.qcow2');
  t.false(d.hasAgentChannel);
  await t.throwsAsync(hv.abortJob(UUID), { code: 'UNSUPPORTED' } as never);
  await hv.close();
  await server.stop();
});
