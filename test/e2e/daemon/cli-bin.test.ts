import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { withDaemon } from '../../helpers/daemon.js';

// The installed `virtpoint` is the one-file bundle of the CLI (scripts/build-cli.mjs →
// dist/cli/virtpoint.mjs, made by `npm run build`, which setup-host runs): this runs that very
// file as a process against a real daemon, where the other CLI tests call runCli in-process.

const run = promisify(execFile);
const BIN = join(process.cwd(), 'dist', 'cli', 'virtpoint.mjs');

test('the bundled CLI: status, a lazily loaded command, a usage error (exit 2), help and completion', async (t) => {
  await access(BIN).catch(() => t.fail(`${BIN} is missing: run npm run build`));
  const d = await withDaemon(t);
  const env = { ...process.env, VIRTPOINT_SOCKET: d.socket };
  const status = JSON.parse((await run(process.execPath, [BIN, 'status', '--json'], { env })).stdout) as {
    libvirtConnected: boolean;
  };
  t.true(status.libvirtConnected);
  const human = await run(process.execPath, [BIN, 'status'], { env });
  t.regex(human.stdout, /^started\s+\d{4}-\d\d-\d\d \d\d:\d\d \S+$/m, 'a human time with its zone');
  const jobs = await run(process.execPath, [BIN, 'job', 'list', '--json'], { env });
  t.true(Array.isArray(JSON.parse(jobs.stdout)));
  const bad = await run(process.execPath, [BIN, 'job', 'show', 'not-an-id'], { env }).catch(
    (e: { code: number; stderr: string }) => e,
  );
  t.is((bad as { code: number }).code, 2, 'a malformed job id is a usage error');
  const help = await run(process.execPath, [BIN, '--help'], { env });
  t.regex(help.stdout, /point\s/);
  const completion = await run(process.execPath, [BIN, 'completion', 'bash'], { env });
  t.regex(completion.stdout, /complete /);
});
