import test from 'ava';
import { silentLogger } from '../../../../src/ports/logger.js';
import type { ShutdownMode } from '../../../../src/ports/hypervisor.js';
import { shutDownDomain } from '../../../../src/service/restore/domain-power.js';
import { FakeClock } from '../../../fakes/fake-host.js';
import { FakeHypervisor, type ShutdownBehaviour } from '../../../fakes/fake-hypervisor.js';

// Rollback's shut-down (issue 12 §6): ACPI and the guest agent are asked at the same time, so a
// guest that ignores one of them stops through the other without waiting for half the timeout.

const TIMEOUT = 120_000;
const POLL = 500;

function domain(shutdown: Partial<ShutdownBehaviour>, agent = true) {
  const hv = new FakeHypervisor();
  const uuid = hv.addDomain({
    name: 'db1',
    disks: [{ target: 'vda', sourcePath: '/vm/a.qcow2', format: 'qcow2', capacity: 1 << 30 }],
    agent,
    shutdown,
  });
  const clock = new FakeClock();
  const run = async (force = false) => {
    const info = await hv.lookupDomain(uuid);
    const t0 = clock.t;
    const how = await shutDownDomain(hv, clock, silentLogger, info, {
      timeoutMs: TIMEOUT,
      force,
      pollMs: POLL,
    });
    return { how, ms: clock.t - t0 };
  };
  const modes = () =>
    hv.calls.filter((c) => c.method === 'shutdownDomain').map((c) => c.args[1] as ShutdownMode);
  return { hv, uuid, clock, run, modes };
}

test('a guest that ignores ACPI stops within the agent’s time (both asked up front), not after half the timeout', async (t) => {
  // The agent needs 4 state polls (~2 s) to power the guest off.
  const d = domain({ acpi: 'ignore', agent: 'stop', afterPolls: 4 });
  const { how, ms } = await d.run();
  t.is(how, 'shutdown');
  t.deepEqual(d.modes(), ['acpi', 'agent']);
  t.true(ms <= 4 * POLL, `stopped after ${ms} ms of the clock`);
  t.true(ms < TIMEOUT / 2);
  t.is(d.hv.count('destroyDomain'), 0);
});

test('both requests are sent before the first wait', async (t) => {
  const d = domain({ acpi: 'ignore', agent: 'ignore' });
  const sleeps: number[] = [];
  const sleep = d.clock.sleep.bind(d.clock);
  d.clock.sleep = async (ms: number) => {
    sleeps.push(d.modes().length);
    return sleep(ms);
  };
  await t.throwsAsync(d.run(), { code: 'INVALID_STATE', message: /did not shut down in 120 s; use --force/ });
  t.is(sleeps[0], 2, 'ACPI and the agent were both asked before waiting');
  t.true(d.clock.t >= TIMEOUT, 'it waited the whole timeout');
  t.is(d.hv.count('destroyDomain'), 0, 'never destroyed without --force');
});

test('a hung agent request does not hold up ACPI', async (t) => {
  const d = domain({ acpi: 'stop', afterPolls: 3 });
  const acpiOnly = d.hv.shutdownDomain.bind(d.hv);
  d.hv.shutdownDomain = (uuid: string, mode?: ShutdownMode) =>
    mode === 'agent' ? new Promise<void>(() => undefined) : acpiOnly(uuid, mode);
  const { how, ms } = await d.run();
  t.is(how, 'shutdown');
  t.true(ms <= 3 * POLL, `stopped after ${ms} ms`);
});

test('without an agent channel only ACPI; every request refused ends at once; --force destroys', async (t) => {
  const noAgent = domain({ acpi: 'ignore' }, false);
  await t.throwsAsync(noAgent.run(), { code: 'INVALID_STATE' });
  t.deepEqual(noAgent.modes(), ['acpi']);

  const refused = domain({ acpi: 'fail', agent: 'fail' });
  await t.throwsAsync(refused.run(), { code: 'INVALID_STATE' });
  t.true(refused.clock.t - 1_700_000_000_000 < 5 * POLL, 'no waiting when nothing was accepted');

  const forced = domain({ acpi: 'ignore', agent: 'ignore' });
  t.is((await forced.run(true)).how, 'destroyed');
  t.is(forced.hv.dom(forced.uuid).state, 'shutoff');
});
