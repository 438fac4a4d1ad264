import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const read = (p: string) => readFile(new URL(`../../../${p}`, import.meta.url), 'utf8');

function run(cmd: string, args: readonly string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, [...args], (err, stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${cmd} is not installed`);
      resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, out: stdout + stderr });
    });
  });
}

test('the logrotate snippet rotates the log at 50 MB and keeps 5, truncating the file in place', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'vp-logrotate-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const log = join(dir, 'virtpointd.log');
  const snippet = (await read('scripts/virtpoint.logrotate')).replace(
    /^\/var\/log\/virtpoint\/virtpointd\.log \{$/m,
    `${log} {`,
  );
  t.true(snippet.includes(`${log} {`), 'the stanza points at the test log, not the host one');
  const conf = join(dir, 'virtpoint.conf');
  await writeFile(conf, snippet, { mode: 0o644 });
  const state = join(dir, 'state');
  // Below the size: nothing happens.
  await writeFile(log, 'x\n');
  t.is((await run('/usr/sbin/logrotate', ['-v', '-s', state, conf])).code, 0);
  t.deepEqual(
    (await readdir(dir)).filter((n) => n.startsWith('virtpointd.log.')),
    [],
  );
  for (let i = 0; i < 7; i++) {
    await writeFile(log, `round ${i}\n`);
    await truncate(log, 51 * 1024 * 1024); // sparse: over 50M without writing it
    const r = await run('/usr/sbin/logrotate', ['-v', '-s', state, conf]);
    t.is(r.code, 0, r.out);
    t.is((await stat(log)).size, 0, 'copytruncate: the daemon keeps writing the same file');
  }
  const kept = (await readdir(dir)).filter((n) => n.startsWith('virtpointd.log.')).sort();
  t.deepEqual(kept, [
    'virtpointd.log.1',
    'virtpointd.log.2.gz',
    'virtpointd.log.3.gz',
    'virtpointd.log.4.gz',
    'virtpointd.log.5.gz',
  ]);
});

test('the man pages format without warnings', async (t) => {
  for (const page of ['man/virtpoint.1', 'man/virtpointd.8', 'man/virtpoint.conf.5']) {
    const r = await run('/usr/bin/groff', ['-man', '-ww', '-z', '-Tutf8', page]);
    t.is(r.code, 0, `${page}: ${r.out}`);
    t.is(r.out.trim(), '', page);
  }
});

test('setup-host installs every man page under man/ and, without systemd, the logrotate snippet', async (t) => {
  const script = await read('scripts/setup-host.sh');
  t.regex(script, /install -m 0644 scripts\/virtpoint\.logrotate \/etc\/logrotate\.d\/virtpoint/);
  const loop =
    /for page in ([^;]+); do\n\s+install -D -m 0644 "\$page" "\/usr\/local\/share\/man\/man\$\{page##\*\.\}\/\$\{page#man\/\}"/.exec(
      script,
    );
  t.truthy(loop, 'the man page loop');
  const pages = (await readdir(new URL('../../../man/', import.meta.url))).map((p) => `man/${p}`).sort();
  t.deepEqual(loop![1]!.trim().split(/\s+/).sort(), pages);
});
