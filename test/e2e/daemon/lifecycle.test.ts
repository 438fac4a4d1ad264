import test from 'ava';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { withDaemon } from '../../helpers/daemon.js';

test('SIGHUP reloads the config: what can change is applied, the rest is reported', async (t) => {
  const d = await withDaemon(t);
  await writeFile(
    d.configFile,
    'job_concurrency = 1\nlog_level = debug\nlibvirt_socket = /run/elsewhere.sock\nsocket = /run/ignored.sock\n',
  );
  process.kill(d.pid, 'SIGHUP');
  for (let i = 0; i < 100 && !/config reloaded/.test(d.log()); i++)
    await new Promise((r) => setTimeout(r, 50));
  const line = d
    .log()
    .split('\n')
    .find((l) => l.includes('config reloaded'));
  t.truthy(line, d.log());
  const parsed = JSON.parse(line!) as { applied: string[]; needRestart: string[] };
  // shutdown_timeout_seconds is no longer set: back to its default, applied too.
  t.deepEqual(parsed.applied.sort(), ['jobConcurrency', 'logLevel', 'shutdownTimeoutMs']);
  // --socket on the command line wins over the file's socket: unchanged.
  t.deepEqual(parsed.needRestart, ['libvirtSocket']);
  t.is((await d.cli(['status'])).code, 0, 'still serving on the old socket');
});

test('SIGTERM: the daemon stops cleanly and removes its socket', async (t) => {
  const d = await withDaemon(t);
  await d.kill('SIGTERM');
  t.false(existsSync(d.socket));
  t.regex(d.log(), /"msg":"stopped"/);
  t.is((await d.cli(['status'])).code, 3);
});
