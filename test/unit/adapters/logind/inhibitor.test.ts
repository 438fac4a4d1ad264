/**
 * The logind inhibitor against a private dbus-daemon and a fake logind (test/helpers/fake-logind.ts).
 * Needs the dbus package (dbus-daemon) and mkfifo; CI has both (scripts/setup-host.sh). Missing
 * tools fail the test, they never skip it.
 */
import { readFile, readlink } from 'node:fs/promises';
import { readdirSync } from 'node:fs';
import test from 'ava';
import {
  createShutdownInhibitor,
  noopShutdownInhibitor,
  type ShutdownInhibitor,
} from '../../../../src/adapters/logind/inhibitor.js';
import type { Logger } from '../../../../src/ports/logger.js';
import { startFakeLogind, startPrivateBus, type FakeLogind } from '../../../helpers/fake-logind.js';

interface Line {
  level: string;
  msg: string;
}

function recorder(): Logger & { lines: Line[] } {
  const lines: Line[] = [];
  const at =
    (level: string) =>
    (_obj: object, msg: string): void => {
      lines.push({ level, msg });
    };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    p,
    sleep(ms).then(() => {
      throw new Error(`${what}: not within ${ms} ms`);
    }),
  ]);
}

/**
 * Write ends of logind's .ref FIFOs this process holds (the fake's read ends live here too), and
 * how many of them are close-on-exec.
 */
async function heldLockFds(): Promise<{ held: number; cloexec: number }> {
  let held = 0;
  let cloexec = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    const target = await readlink(`/proc/self/fd/${fd}`).catch(() => '');
    if (!target.endsWith('.ref')) continue;
    const info = await readFile(`/proc/self/fdinfo/${fd}`, 'utf8').catch(() => '');
    const flags = parseInt(/^flags:\s*([0-7]+)/m.exec(info)?.[1] ?? '0', 8);
    if ((flags & 3) !== 1) continue; // O_WRONLY
    held += 1;
    if (flags & 0o2000000) cloexec += 1; // O_CLOEXEC
  }
  return { held, cloexec };
}

async function setup(t: import('ava').ExecutionContext): Promise<{
  fake: FakeLogind;
  inhibitor: ShutdownInhibitor;
  logger: ReturnType<typeof recorder>;
}> {
  const bus = await startPrivateBus();
  t.teardown(() => bus.stop());
  const fake = await startFakeLogind(bus.address);
  t.teardown(() => fake.stop());
  const logger = recorder();
  const inhibitor = await createShutdownInhibitor({ logger, busAddress: bus.address });
  t.teardown(() => inhibitor.close());
  t.not(inhibitor, noopShutdownInhibitor, logger.lines.map((l) => l.msg).join('\n'));
  return { fake, inhibitor, logger };
}

test.serial('acquire takes one delay lock; release of the last job closes its fd', async (t) => {
  const { fake, inhibitor } = await setup(t);
  await inhibitor.acquire();
  t.is(fake.calls.length, 1);
  const call = fake.calls[0]!;
  t.like(call, { what: 'shutdown:sleep', who: 'virtpoint', why: 'backup jobs running', mode: 'delay' });

  await inhibitor.acquire(); // a second job: same lock
  t.is(fake.calls.length, 1);
  await sleep(200); // past the fake's own copy of the fd
  await inhibitor.release();
  await sleep(100);
  t.false(call.isReleased(), 'one job still runs');
  t.deepEqual(await heldLockFds(), { held: 1, cloexec: 1 }, 'one copy of the fd, not inherited by children');

  await inhibitor.release();
  await within(call.released, 2000, 'the fake sees the fd closed');
  t.deepEqual(await heldLockFds(), { held: 0, cloexec: 0 });
  await inhibitor.release(); // extra release: ignored
  t.is(fake.calls.length, 1);

  await inhibitor.acquire(); // the next job takes a new lock
  t.is(fake.calls.length, 2);
  await inhibitor.release();
  await within(fake.calls[1]!.released, 2000, 'the second lock is released');
});

test.serial('the last job ends while Inhibit is in flight: no lock is left behind', async (t) => {
  const { fake, inhibitor } = await setup(t);
  const acquired = inhibitor.acquire();
  await new Promise((r) => setImmediate(r)); // Inhibit sent, reply not yet read
  await Promise.all([acquired, inhibitor.release()]);
  t.is(fake.calls.length, 1);
  await within(fake.calls[0]!.released, 2000, 'released after the in-flight Inhibit');
});

test.serial('PrepareForShutdown(true) runs the callback; no new lock while shutting down', async (t) => {
  const { fake, inhibitor } = await setup(t);
  let fired = 0;
  const prepared = new Promise<void>((resolve) =>
    inhibitor.onPrepareForShutdown(() => {
      fired += 1;
      resolve();
    }),
  );
  await inhibitor.acquire();
  fake.prepareForShutdown(true);
  await within(prepared, 2000, 'the callback runs');
  t.is(fired, 1);
  // The daemon aborts its job, which releases: the shutdown may proceed.
  await inhibitor.release();
  await within(fake.calls[0]!.released, 2000, 'lock released');
  await inhibitor.acquire();
  t.is(fake.calls.length, 1, 'no lock taken during a shutdown');
  await inhibitor.release();

  fake.prepareForShutdown(false); // canceled
  await sleep(200);
  t.is(fired, 1, 'PrepareForShutdown(false) does not call the callback');
  await inhibitor.acquire();
  t.is(fake.calls.length, 2, 'locks again after the shutdown was canceled');
  await inhibitor.release();
});

test.serial('Inhibit refused: logged, acquire still resolves', async (t) => {
  const { fake, inhibitor, logger } = await setup(t);
  fake.failInhibit = 'org.freedesktop.DBus.Error.AccessDenied';
  await t.notThrowsAsync(inhibitor.acquire());
  t.true(logger.lines.some((l) => l.level === 'warn' && /Inhibit failed/.test(l.msg)));
  await inhibitor.release();
});

test.serial('close() releases a held lock', async (t) => {
  const { fake, inhibitor } = await setup(t);
  await inhibitor.acquire();
  await inhibitor.close();
  await within(fake.calls[0]!.released, 2000, 'released on close');
});

test.serial('no bus socket: the no-op inhibitor, logged once', async (t) => {
  const logger = recorder();
  const inhibitor = await createShutdownInhibitor({ logger, busAddress: 'unix:path=/nonexistent/bus' });
  t.is(inhibitor, noopShutdownInhibitor);
  await inhibitor.acquire();
  await inhibitor.release();
  await inhibitor.close();
  t.is(logger.lines.length, 1);
  t.regex(logger.lines[0]?.msg ?? '', /logind is not reachable/);
});

test.serial('a bus without logind: the no-op inhibitor', async (t) => {
  const bus = await startPrivateBus();
  t.teardown(() => bus.stop());
  const logger = recorder();
  const inhibitor = await createShutdownInhibitor({
    logger,
    busAddress: bus.address,
    connectTimeoutMs: 3000,
  });
  t.is(inhibitor, noopShutdownInhibitor);
  t.is(logger.lines.length, 1);
});
