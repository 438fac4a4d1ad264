import test from 'ava';
import { LibvirtHypervisor } from '../../../../src/adapters/libvirt/hypervisor.js';
import { isVirtpointError } from '../../../../src/core/errors.js';
import type { HypervisorEvent } from '../../../../src/ports/hypervisor.js';
import { withPrivateLibvirtd, type PrivateLibvirtd } from './private-libvirtd.js';

// The supervisor against a libvirtd this test starts and kills (a private one, on its own socket,
// serving only the stateless test driver): calls in flight fail with LIBVIRT_DISCONNECTED, the
// supervisor reconnects once the daemon is back, and calls work again.

const TEST_DOMAIN = 'test'; // the domain test:///default always has

function waitConnection(hv: LibvirtHypervisor, connected: boolean, timeoutMs: number): Promise<number> {
  const start = Date.now();
  if (hv.supervisor.connected === connected) return Promise.resolve(0);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no connection=${connected} event within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = hv.onEvent((e: HypervisorEvent) => {
      if (e.kind === 'connection' && e.connected === connected) {
        clearTimeout(timer);
        off();
        resolve(Date.now() - start);
      }
    });
  });
}

async function killWithCallsInFlight(
  t: import('ava').ExecutionContext,
  hv: LibvirtHypervisor,
  uuid: string,
  daemon: PrivateLibvirtd,
  signal: NodeJS.Signals,
): Promise<void> {
  const down = waitConnection(hv, false, 30_000);
  // 1000 calls written to the socket, then the daemon is killed before it can answer most.
  const calls = Array.from({ length: 1000 }, () => hv.getDomainState(uuid));
  const killed = daemon.kill(signal);
  const settled = await Promise.allSettled(calls);
  await killed;
  await down;
  const failed = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
  const codes = new Set(failed.map((f) => (isVirtpointError(f.reason) ? f.reason.code : String(f.reason))));
  t.log(`${signal}: ${settled.length - failed.length} answered, ${failed.length} failed (${[...codes]})`);
  t.true(failed.length > 0, `${signal}: some calls were in flight when the daemon died`);
  t.deepEqual([...codes], ['LIBVIRT_DISCONNECTED'], `${signal}: in-flight calls fail as disconnected`);
  for (const s of settled) if (s.status === 'fulfilled') t.is(s.value, 'running');
  // While the daemon is down: a new call fails at once, no hang.
  const t0 = Date.now();
  const err = await t.throwsAsync(hv.getDomainState(uuid));
  t.true(isVirtpointError(err, 'LIBVIRT_DISCONNECTED'), String(err));
  t.true(Date.now() - t0 < 1000, 'fails at once while disconnected');
}

test('libvirtd killed (SIGTERM, then SIGKILL) with calls in flight: LIBVIRT_DISCONNECTED, then reconnect', async (t) => {
  const daemon = await withPrivateLibvirtd(t);
  await daemon.start();
  t.log(`private libvirtd pid ${daemon.pid} on ${daemon.socketPath}`);
  const hv = await LibvirtHypervisor.connect({
    socketPath: daemon.socketPath,
    uri: daemon.uri,
    reconnectMinMs: 50,
    reconnectMaxMs: 500,
    callTimeoutMs: 20_000,
  });
  t.teardown(() => hv.close());
  const connections: boolean[] = [];
  hv.onEvent((e) => {
    if (e.kind === 'connection') connections.push(e.connected);
  });
  const dom = await hv.lookupDomain(TEST_DOMAIN);
  t.is(dom.state, 'running');

  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    await killWithCallsInFlight(t, hv, dom.uuid, daemon, signal);
    const up = waitConnection(hv, true, 30_000);
    const t0 = Date.now();
    await daemon.start();
    const startedMs = Date.now() - t0;
    await up;
    const reconnectMs = Date.now() - t0;
    t.log(`${signal}: daemon back in ${startedMs} ms, client reconnected ${reconnectMs} ms after restart`);
    // Works again: cached domain reference, fresh lookups and events registered again.
    t.is(await hv.getDomainState(dom.uuid), 'running');
    t.is((await hv.lookupDomain(TEST_DOMAIN)).uuid, dom.uuid);
    const states = await Promise.all(Array.from({ length: 200 }, () => hv.getDomainState(dom.uuid)));
    t.true(states.every((s) => s === 'running'));
    const events: HypervisorEvent[] = [];
    const off = hv.onEvent((e) => events.push(e));
    await hv.destroyDomain(dom.uuid);
    t.is(await hv.getDomainState(dom.uuid), 'shutoff');
    await hv.startDomain(dom.uuid);
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && !events.some((e) => e.kind === 'lifecycle' && e.event === 'started')) {
      await new Promise((r) => setTimeout(r, 20));
    }
    off();
    t.deepEqual(
      events
        .filter((e) => e.kind === 'lifecycle' && e.domainUuid === dom.uuid)
        .map((e) => e.kind === 'lifecycle' && e.event),
      ['stopped', 'started'],
      `${signal}: lifecycle events arrive after the reconnect`,
    );
  }
  t.deepEqual(connections, [false, true, false, true]);
});
