import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { DEFAULT_HOOK_PATH, sendExec } from '../../../../src/adapters/notify/exec.js';
import { payload } from './helpers.js';

async function tempDir(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'virtpoint-notify-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function script(dir: string, name: string, body: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, `#!/bin/sh\n${body}\n`);
  await chmod(file, 0o755);
  return file;
}

test('the program gets the JSON on stdin and a minimal environment', async (t) => {
  const dir = await tempDir(t);
  const out = path.join(dir, 'out.json');
  const envOut = path.join(dir, 'env.txt');
  const hook = await script(dir, 'hook', 'cat > "$OUT"\nenv > "$ENV_OUT"\npwd >> "$ENV_OUT"');
  process.env.VIRTPOINT_TEST_LEAK = 'daemon-only';
  t.teardown(() => {
    delete process.env.VIRTPOINT_TEST_LEAK;
  });
  const r = await sendExec(hook, payload, { extraEnv: { OUT: out, ENV_OUT: envOut } });
  t.true(r.ok, r.error?.message);
  t.is(r.attempts, 1);
  t.is(r.receiver, `exec:${hook}`);
  t.deepEqual(JSON.parse(await readFile(out, 'utf8')), payload);
  const env = await readFile(envOut, 'utf8');
  t.true(env.includes(`PATH=${DEFAULT_HOOK_PATH}\n`));
  t.true(env.includes('VIRTPOINT_EVENT=task-run\n'));
  t.false(env.includes('VIRTPOINT_TEST_LEAK'));
  t.false(env.includes('HOME='));
  t.true(env.endsWith('\n/\n'), 'runs in /');
});

test('no shell: the path is run as is, metacharacters included', async (t) => {
  const dir = await tempDir(t);
  const out = path.join(dir, 'out.json');
  const hook = await script(dir, 'hook; touch pwned', 'cat > "$OUT"');
  const r = await sendExec(hook, payload, { extraEnv: { OUT: out } });
  t.true(r.ok, r.error?.message);
  await t.throwsAsync(readFile(path.join(dir, 'pwned')));
});

test('non-zero exit: failed, with stderr in the message', async (t) => {
  const dir = await tempDir(t);
  const hook = await script(dir, 'fail', 'cat > /dev/null\necho "mail server unreachable" >&2\nexit 3');
  const r = await sendExec(hook, payload);
  t.false(r.ok);
  t.is(r.attempts, 1);
  t.is(r.error?.code, 'COMMAND_FAILED');
  t.regex(r.error?.message ?? '', /exited with 3: mail server unreachable/);
});

test('stderr in the message is bounded', async (t) => {
  const dir = await tempDir(t);
  const hook = await script(dir, 'noisy', 'head -c 100000 /dev/zero | tr "\\0" x >&2\nexit 1');
  const r = await sendExec(hook, payload);
  t.false(r.ok);
  t.true((r.error?.message.length ?? 0) < 3000);
  t.regex(r.error?.message ?? '', /truncated/);
});

test('a program that sleeps: killed at the timeout', async (t) => {
  const dir = await tempDir(t);
  const hook = await script(dir, 'slow', 'exec sleep 10');
  const r = await sendExec(hook, payload, { timeoutMs: 200 });
  t.false(r.ok);
  t.is(r.error?.code, 'COMMAND_TIMEOUT');
  t.true(r.durationMs < 5000);
});

test('a child holding the output open does not keep the delivery pending', async (t) => {
  const dir = await tempDir(t);
  const hook = await script(dir, 'forks', 'sleep 3 &\nexec sleep 10');
  const r = await sendExec(hook, payload, { timeoutMs: 100, graceMs: 200 });
  t.false(r.ok);
  t.is(r.error?.code, 'COMMAND_TIMEOUT');
  t.true(r.durationMs < 2500);
});

test('missing, not executable, relative: failed results, no throw', async (t) => {
  const dir = await tempDir(t);
  const missing = await sendExec(path.join(dir, 'nope'), payload);
  t.false(missing.ok);
  t.regex(missing.error?.message ?? '', /does not exist/);

  const plain = path.join(dir, 'plain');
  await writeFile(plain, '#!/bin/sh\n');
  const notExec = await sendExec(plain, payload);
  t.false(notExec.ok);
  t.regex(notExec.error?.message ?? '', /not executable/);

  const relative = await sendExec('hooks/notify', payload);
  t.false(relative.ok);
  t.is(relative.attempts, 0);
  t.is(relative.error?.code, 'INVALID_ARGUMENT');
});
