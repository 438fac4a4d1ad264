import test from 'ava';
import { spawn } from 'node:child_process';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { runCli } from '../../../src/cli/run.js';
import { prepareRunDir, RUN_DIR } from '../../helpers/run-dir.js';

const REPO = join(fileURLToPath(import.meta.url), '..', '..', '..', '..');

interface DoctorJson {
  readonly ok: boolean;
  readonly checks: readonly { name: string; status: string; message: string }[];
}

// The case: a --state-dir under a 0700 parent used to fail the first backup with a bare
// "Permission denied (LIBVIRT_ERROR)". Now the daemon warns at start and doctor names the parent.
test('a --state-dir under a 0700 parent: a warning at start and a failing store-access check in doctor', async (t) => {
  await prepareRunDir();
  const dir = join(RUN_DIR, `doctor-${process.pid}`);
  const parent = join(dir, 'private');
  const stateDir = join(parent, 'state');
  await mkdir(stateDir, { recursive: true });
  await chmod(parent, 0o700);
  const socket = join(dir, 'api.sock');
  const config = join(dir, 'virtpoint.conf');
  await writeFile(config, 'shutdown_timeout_seconds = 30\n');
  let log = '';
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/daemon/main.ts',
      '--config',
      config,
      '--socket',
      socket,
      '--state-dir',
      stateDir,
    ],
    { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr.on('data', (d: Buffer) => (log += d.toString()));
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  });
  const deadline = Date.now() + 120_000;
  while (!/preflight done/.test(log) && Date.now() < deadline) {
    if (child.exitCode !== null) t.fail(`virtpointd exited:\n${log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  t.regex(log, /"level":"warn".*"check":"store-access".*private \(mode 0700\) blocks the QEMU user/, log);

  let stdout = '';
  const code = await runCli(['doctor', '--json'], {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: () => undefined },
    env: { VIRTPOINT_SOCKET: socket },
    isTTY: false,
    progressIntervalMs: 0,
  });
  t.is(code, 1);
  const d = JSON.parse(stdout) as DoctorJson;
  t.false(d.ok);
  const access = d.checks.find((c) => c.name === 'store-access');
  t.is(access?.status, 'fail');
  t.true(access?.message.startsWith(`${parent} (mode 0700) blocks the QEMU user`), access?.message);
  t.like(
    d.checks.find((c) => c.name === 'libvirt'),
    { status: 'ok' },
  );

  // The fix the message names works: o+x on the parent, and the check passes.
  await chmod(parent, 0o711);
  stdout = '';
  await runCli(['doctor', '--json'], {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: () => undefined },
    env: { VIRTPOINT_SOCKET: socket },
    isTTY: false,
    progressIntervalMs: 0,
  });
  t.is((JSON.parse(stdout) as DoctorJson).checks.find((c) => c.name === 'store-access')?.status, 'ok');
});
