import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import test from 'ava';

import { createApiServer, listenUnix } from '../../../src/api/server.js';
import { isVirtpointError } from '../../../src/core/errors.js';
import { silentLogger } from '../../../src/ports/logger.js';
import { FakeApis } from '../../fakes/fake-apis.js';
import { request } from './helpers.js';

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'vp-listen-'));
}

/** A socket file nobody listens on, as a SIGKILLed daemon leaves it. */
async function staleSocket(path: string): Promise<void> {
  const child = spawn(
    process.execPath,
    ['-e', "require('net').createServer().listen(process.argv[1], () => console.log('up'))", path],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('error', reject);
  });
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

test('listens with mode 0660 and answers', async (t) => {
  const dir = await tempDir();
  const path = join(dir, 'virtpoint.sock');
  const server = createApiServer(new FakeApis(), { log: silentLogger });
  try {
    await listenUnix(server, path, { mode: 0o660 });
    const st = await stat(path);
    t.true(st.isSocket());
    t.is(st.mode & 0o777, 0o660);
    t.is((await request(path, 'GET', '/v1/status')).status, 200);
  } finally {
    await server.shutdown();
    await rm(dir, { recursive: true, force: true });
  }
});

test('sets the group when asked (own gid) and another mode', async (t) => {
  const dir = await tempDir();
  const path = join(dir, 'virtpoint.sock');
  const server = createApiServer(new FakeApis(), { log: silentLogger });
  try {
    const gid = process.getgid?.() ?? 0;
    await listenUnix(server, path, { mode: 0o600, group: gid });
    const st = await stat(path);
    t.is(st.mode & 0o777, 0o600);
    t.is(st.gid, gid);
  } finally {
    await server.shutdown();
    await rm(dir, { recursive: true, force: true });
  }
});

test('removes a stale socket file nobody answers on', async (t) => {
  const dir = await tempDir();
  const path = join(dir, 'virtpoint.sock');
  await staleSocket(path);
  t.true((await stat(path)).isSocket(), 'the stale socket file is there');
  const server = createApiServer(new FakeApis(), { log: silentLogger });
  try {
    await listenUnix(server, path);
    t.is((await request(path, 'GET', '/v1/status')).status, 200);
  } finally {
    await server.shutdown();
    await rm(dir, { recursive: true, force: true });
  }
});

test('refuses a socket another process answers on, and a path that is not a socket', async (t) => {
  const dir = await tempDir();
  const path = join(dir, 'virtpoint.sock');
  const first = createApiServer(new FakeApis(), { log: silentLogger });
  const second = createApiServer(new FakeApis(), { log: silentLogger });
  try {
    await listenUnix(first, path);
    const e = await t.throwsAsync(listenUnix(second, path));
    t.true(isVirtpointError(e, 'ALREADY_EXISTS'), String(e));
    t.is((await request(path, 'GET', '/v1/status')).status, 200, 'the first daemon still answers');
    const file = join(dir, 'not-a-socket');
    await writeFile(file, 'data');
    const e2 = await t.throwsAsync(listenUnix(second, file));
    t.true(isVirtpointError(e2, 'ALREADY_EXISTS'), String(e2));
    t.true((await stat(file)).isFile(), 'a regular file is never removed');
  } finally {
    await first.shutdown();
    await rm(dir, { recursive: true, force: true });
  }
});
