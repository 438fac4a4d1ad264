import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

import test from 'ava';
import Database from 'better-sqlite3';

import type { PointView, RemoteVerifyResult, TaskRunView } from '../../../src/contract/index.js';
import { withDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { RUN_DIR } from '../../helpers/run-dir.js';
import {
  createTestBucket,
  s3Credentials,
  s3Server,
  sshServer,
  writeTargetFiles,
} from '../../helpers/test-servers.js';
import { withTestVm } from '../../helpers/test-vm.js';

// A task with `--copy-to` both targets (S3 clear, SSH encrypted, both slowed by --bwlimit): its
// run queues the copies and ends; the daemon is killed with SIGKILL while the S3 upload is
// halfway, restarted, killed again halfway through the encrypted SSH upload, restarted: each
// upload continues after its last completed part (never from scratch), both copies end
// `copied`, and `remote verify` finds every object's sha256 equal to its manifest's.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Completed parts recorded for uploads to the target, read from the daemon's catalog. */
function partsFor(d: TestDaemon, target: string): number {
  const db = new Database(join(d.stateDir, 'catalog.db'), { readonly: true, fileMustExist: true });
  try {
    const r = db
      .prepare(
        `SELECT count(*) AS n FROM upload_parts p JOIN targets t ON t.id = p.target_id WHERE t.name = ?`,
      )
      .get(target) as { n: number };
    return r.n;
  } finally {
    db.close();
  }
}

async function waitFor(what: string, cond: () => Promise<boolean> | boolean, ms = 180_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await sleep(100);
  }
  throw new Error(`${what}: not within ${ms} ms`);
}

test('task --copy-to S3 and SSH: kill -9 during each upload, each resumes after its last part; copies copied, checksums verified', async (t) => {
  const vm = await withTestVm(t, { disks: [{ sizeMiB: 160 }] });
  const work = join(RUN_DIR, `task-copy-${process.pid}`);
  await mkdir(work, { recursive: true });
  t.teardown(() => rm(work, { recursive: true, force: true }));
  const s3 = s3Server();
  const ssh = sshServer();
  const { accessKeyId } = await s3Credentials(s3);
  const bucket = await createTestBucket(s3, 'vpt-task-copy');
  const files = await writeTargetFiles(work, s3, ssh);

  const d = await withDaemon(t);
  const ok = async (args: string[]) => {
    const r = await d.cli(args);
    t.is(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  };
  // 32 MiB parts at 24 MiB/s: a part goes out, the next waits ~1.3 s (the pacer).
  await ok([
    'target',
    'add',
    's3',
    '--s3',
    s3.endpoint,
    '--bucket',
    bucket,
    '--region',
    s3.region,
    '--access-key-id',
    accessKeyId,
    '--secret-key-file',
    files.s3,
    '--bwlimit',
    '24M',
  ]);
  await ok([
    'target',
    'add',
    'nas',
    '--ssh',
    `${ssh.user}@${ssh.host}:${ssh.port}:${ssh.path}/task-copy-${randomBytes(3).toString('hex')}`,
    '--identity',
    files.id,
    '--known-hosts',
    files.kh,
    '--encrypt-key-file',
    files.key,
    '--bwlimit',
    '24M',
  ]);
  await ok(['policy', 'create', 'nightly', '--every-days', '1', '--at', '03:00']);
  await ok([
    'task',
    'create',
    'web',
    '--domain',
    vm.name,
    '--policy',
    'nightly',
    '--copy-to',
    's3',
    '--copy-to',
    'nas',
  ]);
  // ~100 MiB of random bytes: the point's file is 4 parts.
  await vm.agent.sh('dd if=/dev/urandom of=/mnt/vda/big.bin bs=1M count=100 status=none && sync', 300_000);

  const run = await d.json<TaskRunView>(['task', 'run', 'web']);
  t.is(run.outcome, 'succeeded', JSON.stringify(run.resources));
  const r = run.resources[0]!;
  const copies = (r as { copies?: { target: string; state: string; jobId?: string }[] }).copies ?? [];
  t.deepEqual(
    copies.map((x) => [x.target, x.state]),
    [
      ['s3', 'queued'],
      ['nas', 'queued'],
    ],
    'the run ends with its copies queued, not done',
  );
  const pointId = r.pointId!;

  // kill -9 with the clear S3 upload halfway, restart; then the same for the encrypted SSH one
  for (const target of ['s3', 'nas']) {
    await waitFor(`a part to ${target}`, () => partsFor(d, target) >= 1);
    const before = partsFor(d, target);
    await d.kill('SIGKILL');
    t.log(`${target}: killed with ${before} part(s) uploaded`);
    t.true(before < 4, `killed before the upload to ${target} completed`);
    await d.restart();
  }
  const point = async () => d.json<PointView>(['point', 'show', pointId]);
  await waitFor('both copies copied', async () => {
    const p = await point();
    return p.copies.length === 2 && p.copies.every((x) => x.state === 'copied');
  });
  const p = await point();
  t.deepEqual(p.copies.map((x) => [x.target, x.state, x.attempts]).sort(), [
    ['nas', 'copied', 0],
    ['s3', 'copied', 0],
  ]);
  const log = d.log();
  t.is(
    (log.match(/resuming an upload"/g) ?? []).length >= 2,
    true,
    'both uploads resumed after their last part',
  );
  t.notRegex(log, /restarting an upload from scratch/);
  t.is(partsFor(d, 's3') + partsFor(d, 'nas'), 0, 'no upload state left');
  for (const target of ['s3', 'nas']) {
    const v = await d.json<RemoteVerifyResult>(['remote', 'verify', target, '--point', pointId]);
    t.true(v.ok, `${target}: ${JSON.stringify(v)}`);
  }
});
