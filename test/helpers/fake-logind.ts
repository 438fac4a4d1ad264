/**
 * A private dbus-daemon and a fake logind on it, for the inhibitor tests.
 *
 * startPrivateBus(): a dbus-daemon on a socket in a temp dir (own config: EXTERNAL auth, anyone
 * may own any name), spawned with an argv array and killed by its PID.
 *
 * startFakeLogind(address): exports org.freedesktop.login1 /org/freedesktop/login1 with the
 * Manager interface's Inhibit (records the call, returns the write end of a FIFO whose read end
 * the fake watches: EOF = every copy of the lock's fd was closed) and the PrepareForShutdown
 * signal. Only what the inhibitor uses; not logind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, constants as fsConstants, openSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import dbus from 'dbus-next';
import { runCommand } from '../../src/adapters/process/run-command.js';

export interface PrivateBus {
  readonly address: string;
  readonly pid: number;
  stop(): Promise<void>;
}

export async function startPrivateBus(): Promise<PrivateBus> {
  const dir = await mkdtemp(path.join(tmpdir(), 'vpt-dbus-'));
  const socket = path.join(dir, 'bus');
  const config = path.join(dir, 'bus.conf');
  await writeFile(
    config,
    `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=${socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
`,
  );
  const child = spawn('dbus-daemon', [`--config-file=${config}`, '--nofork', '--print-address=1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const address = await new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(
      () => reject(new Error(`dbus-daemon printed no address in 10 s: ${err}`)),
      10_000,
    );
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(out.slice(0, nl).trim());
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`dbus-daemon did not start (install the dbus package): ${e.message}`));
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`dbus-daemon exited with ${code}: ${err}`));
    });
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('dbus-daemon has no PID');
  return {
    address,
    pid,
    async stop() {
      await killAndWait(child, pid);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function killAndWait(child: ChildProcess, pid: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      resolve();
    }
  });
}

export interface InhibitCall {
  readonly what: string;
  readonly who: string;
  readonly why: string;
  readonly mode: string;
  /** Resolves when every copy of the returned fd is closed (the lock is released). */
  readonly released: Promise<void>;
  isReleased(): boolean;
}

export interface FakeLogind {
  readonly calls: InhibitCall[];
  /** Calls to Inhibit fail with this D-Bus error name while set. */
  failInhibit: string | undefined;
  /** Emits org.freedesktop.login1.Manager.PrepareForShutdown(start). */
  prepareForShutdown(start: boolean): void;
  stop(): Promise<void>;
}

class ManagerInterface extends dbus.interface.Interface {
  constructor(
    private readonly onInhibit: (what: string, who: string, why: string, mode: string) => Promise<number>,
  ) {
    super('org.freedesktop.login1.Manager');
  }

  Inhibit(what: string, who: string, why: string, mode: string): Promise<number> {
    return this.onInhibit(what, who, why, mode);
  }

  PrepareForShutdown(start: boolean): boolean {
    return start;
  }
}

ManagerInterface.configureMembers({
  methods: { Inhibit: { inSignature: 'ssss', outSignature: 'h' } },
  signals: { PrepareForShutdown: { signature: 'b' } },
});

export async function startFakeLogind(address: string): Promise<FakeLogind> {
  const dir = await mkdtemp(path.join(tmpdir(), 'vpt-logind-'));
  const busOpts: dbus.SessionBusOptions & { negotiateUnixFd: boolean } = {
    busAddress: address,
    negotiateUnixFd: true,
  };
  const bus = dbus.sessionBus(busOpts);
  bus.on('error', () => undefined);
  const readers: net.Socket[] = [];
  let seq = 0;

  const fake: FakeLogind = {
    calls: [],
    failInhibit: undefined,
    prepareForShutdown(start: boolean) {
      manager.PrepareForShutdown(start);
    },
    async stop() {
      for (const r of readers) r.destroy();
      bus.disconnect();
      await rm(dir, { recursive: true, force: true });
    },
  };

  const manager = new ManagerInterface(async (what, who, why, mode) => {
    if (fake.failInhibit !== undefined)
      throw new dbus.DBusError(fake.failInhibit, 'inhibit refused by the fake');
    // As logind: a FIFO, the caller gets the write end, we watch the read end for EOF.
    const fifo = path.join(dir, `${seq++}.ref`);
    await runCommand(['mkfifo', '-m', '0600', fifo]);
    const readFd = openSync(fifo, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
    const writeFd = openSync(fifo, fsConstants.O_WRONLY | fsConstants.O_NONBLOCK);
    const reader = new net.Socket({ fd: readFd, readable: true, writable: false });
    readers.push(reader);
    let released = false;
    const done = new Promise<void>((resolve) => {
      reader.on('end', () => {
        released = true;
        reader.destroy();
        resolve();
      });
      reader.on('error', () => undefined);
      reader.resume();
    });
    fake.calls.push({ what, who, why, mode, released: done, isReleased: () => released });
    // Our copy goes once the reply (which carries a duplicate) has been written.
    setTimeout(() => closeSync(writeFd), 100);
    return writeFd;
  });
  bus.export('/org/freedesktop/login1', manager);
  await bus.requestName('org.freedesktop.login1', dbus.NameFlag.DO_NOT_QUEUE);
  return fake;
}
