import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';

/**
 * A second, private libvirtd for tests that must kill their daemon (reconnect): its own config
 * (`unix_sock_dir` in a temp directory), its own pid file, and LIBVIRT_DRIVER_DIR pointing at an
 * empty directory so that no stateful driver (qemu, network, storage, ...) is loaded: it never
 * touches the host's VMs or the main libvirtd's state. Only the stateless, built-in test driver
 * answers, so clients open `test:///default` on it. Only the PID this helper spawned is ever
 * signalled.
 */
export interface PrivateLibvirtd {
  readonly dir: string;
  readonly socketPath: string;
  readonly uri: 'test:///default';
  /** PID of the running daemon (the one we spawned), or null when stopped. */
  readonly pid: number | null;
  /** Spawns the daemon and waits for its socket. */
  start(): Promise<void>;
  /** Sends `signal` to our daemon's PID and waits for it to exit. */
  kill(signal: NodeJS.Signals): Promise<void>;
  /** The daemon's stdout/stderr so far (for failure messages). */
  output(): string;
}

export async function withPrivateLibvirtd(t: ExecutionContext): Promise<PrivateLibvirtd> {
  const dir = await mkdtemp(join(tmpdir(), 'vpt-libvirtd-'));
  const sockDir = join(dir, 'sock');
  const driverDir = join(dir, 'no-drivers');
  await mkdir(sockDir, { mode: 0o700 });
  await mkdir(driverDir);
  const config = join(dir, 'libvirtd.conf');
  await writeFile(
    config,
    [
      `unix_sock_dir = "${sockDir}"`,
      'unix_sock_rw_perms = "0700"',
      'unix_sock_ro_perms = "0700"',
      'unix_sock_admin_perms = "0700"',
      'auth_unix_rw = "none"',
      'auth_unix_ro = "none"',
      'listen_tls = 0',
      'listen_tcp = 0',
      'log_outputs = "3:stderr"',
      '',
    ].join('\n'),
  );
  const socketPath = join(sockDir, 'libvirt-sock');
  const pidFile = join(dir, 'libvirtd.pid');
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  let log = '';

  const d: PrivateLibvirtd = {
    dir,
    socketPath,
    uri: 'test:///default',
    get pid() {
      return child?.pid ?? null;
    },
    async start() {
      if (child) throw new Error('private libvirtd already running');
      const c = spawn('libvirtd', ['--config', config, '--pid-file', pidFile], {
        cwd: dir,
        env: { ...process.env, LIBVIRT_DRIVER_DIR: driverDir },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = c;
      c.stdout?.on('data', (b: Buffer) => (log += b.toString('utf8')));
      c.stderr?.on('data', (b: Buffer) => (log += b.toString('utf8')));
      exited = new Promise((resolve) =>
        c.once('exit', () => {
          if (child === c) child = null;
          resolve();
        }),
      );
      const deadline = Date.now() + 30_000;
      // The socket of a daemon we SIGKILLed stays on disk; wait for the new daemon's pid file.
      while (Date.now() < deadline) {
        if (child !== c) throw new Error(`private libvirtd exited at start:\n${log}`);
        if (existsSync(socketPath) && existsSync(pidFile) && (await canConnect(socketPath))) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`private libvirtd did not listen on ${socketPath} within 30 s:\n${log}`);
    },
    async kill(signal) {
      const c = child;
      if (!c?.pid) throw new Error('private libvirtd is not running');
      process.kill(c.pid, signal);
      await exited;
      await rm(pidFile, { force: true });
    },
    output: () => log,
  };

  t.teardown(async () => {
    const c = child;
    if (c?.pid) {
      process.kill(c.pid, 'SIGKILL');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  });
  return d;
}

function canConnect(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createConnection({ path });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
