import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';

import { NodeFileSink } from '../src/adapters/file-sink.js';
import { NodeFileSource } from '../src/adapters/file-source.js';
import { nodeFs } from '../src/adapters/node-fs.js';
import { runCommand } from '../src/adapters/process/run-command.js';
import { S3Target } from '../src/adapters/s3/s3-target.js';
import { openSshTarget } from '../src/adapters/ssh/ssh-target.js';
import { SqliteCatalog } from '../src/adapters/sqlite/sqlite-catalog.js';
import { DEFAULT_FRAME_SIZE, encryptedSize } from '../src/core/encryption.js';
import type { Target } from '../src/ports/copies-catalog.js';
import type { TargetStore } from '../src/ports/target.js';
import { PART_SIZE } from '../src/service/copies/copy.js';
import { uploadMultipart, type MultipartDeps } from '../src/service/copies/multipart.js';
import { verifiedStream } from '../src/service/remote/fetch.js';
import type { NeededFile } from '../src/service/remote/scan.js';
import type { S3Server, SshServer } from '../test/helpers/test-servers.js';
import { collectingLogger } from './logger.js';
import { rotation, speedRatio, summarize, type Summary } from './stats.js';

/**
 * bench/copy (issue 14): off-host copy throughput, virtpoint's own target code in-process (no
 * VM, no daemon) against `rclone copyto` (S3) and `scp` / `sftp -b` (SSH), in the same run, on
 * the project's test servers (scripts/test-servers: a one-node Ceph RGW and an sshd of its own
 * on 127.0.0.1, started here and stopped in a finally; or the ones VIRTPOINT_TEST_S3 /
 * VIRTPOINT_TEST_SSH name, left running).
 *
 * One random file of 256 MiB (`--quick`: 96 MiB) stands for a point file.
 * - ours up: `uploadMultipart` (service/copies/multipart.ts, the copy job's code path): 32 MiB
 *   parts through S3Target / SshTarget, each part recorded in an in-memory SqliteCatalog; `enc`:
 *   the same with a 32-byte key (4 MiB frames, AES-GCM).
 * - ours down: remote restore's reader, `verifiedStream` (service/remote/fetch.ts: the store's
 *   openRead, decrypted and sha256/length-checked against the "manifest") into
 *   NodeFileSink.writeNew (fsynced) — what fetchPoint does per file, without its directory pool.
 * - rclone: `rclone copyto` with its defaults (S3 multipart at 5 MiB chunks, 4 in flight),
 *   on-the-fly remote `:s3:`, `--config /dev/null`, the secret by env; download + `sync OUT`.
 * - scp (OpenSSH 9.2: the SFTP protocol underneath) and `sftp -b` put/get. The SSH server is on
 *   this host, so its side of an upload is flushed with `sync REMOTE` in the timed step (ours
 *   fsyncs over SFTP); a download gets `sync OUT`.
 *
 * Each round runs every case's tools in rotated order (bench/stats.ts rotation), `sync` before
 * each step, the page cache of the file a step reads dropped first (the source; over SSH also
 * the remote file; RGW's OSD is not dropped). Uploaded objects are deleted after each round.
 * Prints median/min/max ms and MiB/s per tool, ratio = baseline time / ours (> 1: ours faster);
 * writes bench/results/copy.json. Reports only.
 */

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const REPO = join(BENCH_DIR, '..');
const RESULTS = join(BENCH_DIR, 'results', 'copy.json');
const MiB = 1024 * 1024;
const QUICK = process.argv.includes('--quick');
const SIZE = (QUICK ? 96 : 256) * MiB;
const ROUNDS = QUICK ? 3 : 5;
const BUCKET = `vpt-bench-${randomBytes(3).toString('hex')}`;
const SLOW = { timeoutMs: 900_000 };

type Step = () => Promise<unknown>;
interface Tool {
  readonly name: string;
  /** Untimed, before the step (drop caches, remove an old output). */
  readonly before?: Step;
  readonly run: Step;
}
interface Case {
  readonly name: string;
  readonly tools: readonly Tool[];
  /** Untimed, after every round (delete what the round uploaded). */
  readonly after?: Step;
}

const dropCache = (file: string) =>
  runCommand(['dd', `if=${file}`, 'iflag=nocache', 'count=0', 'status=none']);

async function timed(fn: Step): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function writeRandom(path: string, size: number): Promise<string> {
  const fh = await open(path, 'w', 0o600);
  const hash = createHash('sha256');
  for (let done = 0; done < size; done += 16 * MiB) {
    const b = randomBytes(Math.min(16 * MiB, size - done));
    hash.update(b);
    await fh.write(b);
  }
  await fh.sync();
  await fh.close();
  return hash.digest('hex');
}

/** The servers: those the environment names (kept), else our own under `dir` (stopped by `stop`). */
async function servers(dir: string): Promise<{ s3: S3Server; ssh: SshServer; stop: Step }> {
  const read = <T>(f: string) => JSON.parse(readFileSync(f, 'utf8')) as T;
  const { VIRTPOINT_TEST_S3: s3, VIRTPOINT_TEST_SSH: ssh } = process.env;
  if (s3 && ssh) return { s3: read(s3), ssh: read(ssh), stop: () => Promise.resolve() };
  const started: string[] = [];
  const script = (s: string) => join(REPO, 'scripts', 'test-servers', `${s}.sh`);
  const stop = async () => {
    for (const s of started.reverse()) {
      await runCommand(['bash', script(s), 'stop', join(dir, s)], SLOW).catch((e: unknown) =>
        console.error(`[copy] stopping ${s}: ${String(e)}`),
      );
    }
  };
  try {
    for (const s of ['ceph-rgw', 'sshd']) {
      started.push(s);
      await runCommand(['bash', script(s), 'start', join(dir, s)], SLOW);
    }
    return { s3: read(join(dir, 'ceph-rgw', 's3.json')), ssh: read(join(dir, 'sshd', 'ssh.json')), stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

export async function run(): Promise<unknown> {
  const dir = await mkdtemp('/var/tmp/virtpoint-bench-copy.');
  await runCommand(['chmod', '0711', dir]); // the SSH test user reaches its home under it
  let srv: Awaited<ReturnType<typeof servers>> | null = null;
  const close: Step[] = [];
  try {
    srv = await servers(join(dir, 'servers'));
    return await measure(dir, srv.s3, srv.ssh, close);
  } finally {
    for (const c of close.reverse()) await c().catch(() => undefined);
    await srv?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

async function measure(dir: string, s3: S3Server, ssh: SshServer, close: Step[]): Promise<unknown> {
  const warnings: string[] = [];
  const log = collectingLogger(warnings);
  const src = join(dir, 'point.qcow2');
  const sha256 = await writeRandom(src, SIZE);
  const stat1 = await nodeFs.stat(src);
  const key = randomBytes(32);
  const out = join(dir, 'out');
  await mkdir(out);

  // S3: the bucket, the store, a catalog with the targets.
  const accessKeyId = readFileSync(s3.accessKeyIdFile, 'utf8').trim();
  const secret = readFileSync(s3.secretKeyFile, 'utf8').trim();
  const admin = new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId, secretAccessKey: secret },
  });
  close.push(() => Promise.resolve(admin.destroy()));
  await admin.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const s3cfg = { endpoint: s3.endpoint, bucket: BUCKET, prefix: '', region: s3.region, accessKeyId };
  const s3store = new S3Target({ ...s3cfg, secretAccessKey: secret });
  const sshcfg = { user: ssh.user, host: ssh.host, port: ssh.port, path: ssh.path };
  const sshstore = openSshTarget(
    { kind: 'ssh', ...sshcfg },
    readFileSync(ssh.identityFile),
    readFileSync(ssh.knownHostsFile, 'utf8'),
  );
  const catalog = new SqliteCatalog({ path: ':memory:' });
  close.push(
    () => sshstore.close(),
    () => s3store.close(),
    () => Promise.resolve(catalog.close()),
  );
  const target = (name: string, kind: 's3' | 'ssh'): Target =>
    catalog.copies.addTarget({
      name,
      config: kind === 's3' ? { kind, ...s3cfg } : { kind, ...sshcfg },
      keyId: null,
      bwlimit: null,
      retention: 'forever',
    });
  const targets = { s3: target('bench-s3', 's3'), ssh: target('bench-ssh', 'ssh') };
  const deps: MultipartDeps = {
    copies: catalog.copies,
    files: new NodeFileSource(),
    random: randomBytes,
    log,
    partSize: PART_SIZE,
    frameSize: DEFAULT_FRAME_SIZE,
  };
  const sink = new NodeFileSink();

  const oursUp = (t: Target, store: TargetStore, objKey: string, k: Buffer | null) => () =>
    uploadMultipart(deps, {
      target: t,
      store,
      key: k,
      objKey,
      pointId: 'bench',
      file: 'bench/point.qcow2',
      path: src,
      stat: stat1,
      objSize: k === null ? SIZE : encryptedSize(SIZE, DEFAULT_FRAME_SIZE),
      progress: () => undefined,
    });
  const needed = (objKey: string, encrypted: boolean): NeededFile => ({
    key: objKey,
    disk: 'vda',
    name: 'vda.0.qcow2',
    encrypted,
    sha256,
    fileSize: SIZE,
    objectSize: null,
    virtualSize: SIZE,
    backingFile: null,
    pointId: 'bench',
  });
  const outFile = (name: string) => join(out, name);
  const rmOut = (name: string) => () => rm(outFile(name), { force: true });
  const oursDown = (store: TargetStore, objKey: string, k: Buffer | null, name: string) => () =>
    sink.writeNew(outFile(name), verifiedStream(store, needed(objKey, k !== null), k), 0o600);

  // Baselines.
  const rcloneFlags = [
    ...['--config', '/dev/null', '--s3-provider', 'Ceph', '--s3-endpoint', s3.endpoint],
    ...['--s3-access-key-id', accessKeyId, '--s3-region', s3.region, '--s3-force-path-style'],
  ];
  // A bare environment: rclone's AWS SDK refuses an inherited AWS_CA_BUNDLE over plain HTTP.
  const rcloneEnv = { PATH: process.env.PATH, HOME: dir, RCLONE_S3_SECRET_ACCESS_KEY: secret };
  const rclone = (from: string, to: string) =>
    runCommand(['rclone', 'copyto', ...rcloneFlags, from, to], { ...SLOW, env: rcloneEnv });
  const sshOpts = [
    ...['-i', ssh.identityFile, '-o', `UserKnownHostsFile=${ssh.knownHostsFile}`],
    ...['-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-q'],
  ];
  const remote = (objKey: string) => `${ssh.path}/${objKey}`;
  const dest = (objKey: string) => `${ssh.user}@${ssh.host}:${remote(objKey)}`;
  const scp = (from: string, to: string) =>
    runCommand(['scp', ...sshOpts, '-P', String(ssh.port), from, to], SLOW);
  const sftp = async (batch: string) => {
    await writeFile(join(dir, 'sftp.batch'), batch + '\n');
    const login = ['-P', String(ssh.port), `${ssh.user}@${ssh.host}`];
    await runCommand(['sftp', '-b', join(dir, 'sftp.batch'), ...sshOpts, ...login], SLOW);
  };
  const sync = (...files: string[]) => runCommand(['sync', ...files]);

  // Objects the downloads read, uploaded once by ours (the clear one is byte for byte the file).
  const DL = 'bench/dl.qcow2';
  const DL_ENC = 'bench/dl-enc.qcow2';
  for (const [t, store] of [
    [targets.s3, s3store],
    [targets.ssh, sshstore],
  ] as const) {
    await oursUp(t, store, DL, null)();
    await oursUp(t, store, DL_ENC, key)();
  }
  await sshstore.putObject('bench/.keep', Buffer.alloc(0)); // the remote directory bench/ exists
  const up = (name: string, run: Step): Tool => ({ name, before: () => dropCache(src), run });
  const down = (name: string, run: Step, remoteFile?: string): Tool => ({
    name,
    before: async () => {
      await rm(outFile(name), { force: true });
      if (remoteFile !== undefined) await dropCache(remoteFile);
    },
    run,
  });
  /** A baseline's download into out/NAME, then `sync` of that file (timed with it). */
  const synced = (name: string, fn: (to: string) => Promise<unknown>) => async () => {
    await fn(outFile(name));
    await sync(outFile(name));
  };
  const deleteAll = (store: TargetStore, keys: string[]) => async () => {
    for (const k of keys) await store.delete(k);
  };
  const cases: Case[] = [
    {
      name: 's3 upload',
      tools: [
        up('ours', oursUp(targets.s3, s3store, 'bench/up', null)),
        up('ours-enc', oursUp(targets.s3, s3store, 'bench/up-enc', key)),
        up('rclone', () => rclone(src, `:s3:${BUCKET}/bench/up-rclone`)),
      ],
      after: deleteAll(s3store, ['bench/up', 'bench/up-enc', 'bench/up-rclone']),
    },
    {
      name: 's3 download',
      tools: [
        down('ours', oursDown(s3store, DL, null, 'ours')),
        down('ours-enc', oursDown(s3store, DL_ENC, key, 'ours-enc')),
        down(
          'rclone+sync',
          synced('rclone+sync', (to) => rclone(`:s3:${BUCKET}/${DL}`, to)),
        ),
      ],
    },
    {
      name: 'ssh upload',
      tools: [
        up('ours', oursUp(targets.ssh, sshstore, 'bench/up', null)),
        up('ours-enc', oursUp(targets.ssh, sshstore, 'bench/up-enc', key)),
        up('scp+sync', async () => {
          await scp(src, dest('bench/up-scp'));
          await sync(remote('bench/up-scp'));
        }),
        up('sftp+sync', async () => {
          await sftp(`put ${src} ${remote('bench/up-sftp')}`);
          await sync(remote('bench/up-sftp'));
        }),
      ],
      after: deleteAll(sshstore, ['bench/up', 'bench/up-enc', 'bench/up-scp', 'bench/up-sftp']),
    },
    {
      name: 'ssh download',
      tools: [
        down('ours', oursDown(sshstore, DL, null, 'ours'), remote(DL)),
        down('ours-enc', oursDown(sshstore, DL_ENC, key, 'ours-enc'), remote(DL_ENC)),
        down(
          'scp+sync',
          synced('scp+sync', (to) => scp(dest(DL), to)),
          remote(DL),
        ),
        down(
          'sftp+sync',
          synced('sftp+sync', (to) => sftp(`get ${remote(DL)} ${to}`)),
          remote(DL),
        ),
      ],
    },
  ];

  const ms = new Map<string, number[]>(cases.flatMap((c) => c.tools.map((t) => [`${c.name}/${t.name}`, []])));
  const started = Date.now();
  for (let r = 0; r < ROUNDS; r++) {
    for (const c of cases) {
      for (const t of rotation(c.tools, r)) {
        await t.before?.();
        await sync();
        ms.get(`${c.name}/${t.name}`)!.push(await timed(t.run));
      }
      await c.after?.();
      for (const t of c.tools) await rmOut(t.name)();
    }
    console.log(`[copy] round ${r + 1}/${ROUNDS} done (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }
  await deleteAll(s3store, [DL, DL_ENC])();
  await deleteAll(sshstore, [DL, DL_ENC, 'bench/.keep'])();

  const mibs = (t: number) => +(SIZE / MiB / (t / 1000)).toFixed(1);
  const rows: Record<string, Record<string, number | string>> = {};
  const results = cases.map((c) => {
    const ours = summarize(ms.get(`${c.name}/ours`)!);
    const tools = Object.fromEntries(
      c.tools.map((t) => {
        const samples = ms.get(`${c.name}/${t.name}`)!;
        const s: Summary = summarize(samples);
        const ratio = t.name === 'ours' ? 1 : speedRatio(s.median, ours.median);
        rows[`${c.name}: ${t.name}`] = {
          'median ms': Math.round(s.median),
          'min ms': Math.round(s.min),
          'max ms': Math.round(s.max),
          'MiB/s': mibs(s.median),
          'time / ours': ratio,
        };
        return [t.name, { ...s, mibPerSecond: mibs(s.median), ratioToOurs: ratio, samplesMs: samples }];
      }),
    );
    return { case: c.name, tools };
  });
  console.table(rows);
  console.log(
    `[copy] ${SIZE / MiB} MiB, ${ROUNDS} rounds; 'time / ours' = tool median / ours median ` +
      `(for a baseline: > 1, ours is faster; ours-enc vs ours: the cost of encryption). ` +
      `Download: ours = remote restore's verifiedStream into NodeFileSink (fsynced).`,
  );
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  console.log(`[copy] load average at the end: ${load}`);
  const result = {
    sizeBytes: SIZE,
    rounds: ROUNDS,
    partSize: PART_SIZE,
    frameSize: DEFAULT_FRAME_SIZE,
    download: 'service/remote/fetch.ts verifiedStream → NodeFileSink.writeNew (fsync)',
    rclone: 'rclone copyto, defaults (S3 chunks 5 MiB, 4 in flight)',
    loadAverage: load,
    cases: results,
    warnings,
  };
  await mkdir(dirname(RESULTS), { recursive: true });
  await writeFile(RESULTS, JSON.stringify(result, null, 2) + '\n');
  return result;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await run();
}
