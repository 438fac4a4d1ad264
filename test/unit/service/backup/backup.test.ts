import test from 'ava';
import { randomBytes } from 'node:crypto';
import { SqliteCatalog } from '../../../../src/adapters/sqlite/sqlite-catalog.js';
import { VirtpointError, type ErrorCode } from '../../../../src/core/errors.js';
import { silentLogger } from '../../../../src/ports/logger.js';
import { BackupService } from '../../../../src/service/backup/backup.js';
import { FakeHypervisor } from '../../../fakes/fake-hypervisor.js';
import { FakeClock, FakeFs, FakeImageTool } from '../../../fakes/fake-host.js';

const STORE = '/store';
const GiB = 1024 ** 3;

function setup(opts: { agent?: boolean; state?: 'running' | 'shutoff'; formats?: string[] } = {}) {
  const hv = new FakeHypervisor();
  const fs = new FakeFs();
  const images = new FakeImageTool(fs);
  const catalog = new SqliteCatalog({ path: ':memory:' });
  const formats = opts.formats ?? ['qcow2', 'qcow2'];
  const disks = formats.map((format, i) => ({
    target: `vd${String.fromCharCode(97 + i)}`,
    sourcePath: `/images/d${i}.${format}`,
    format,
    capacity: GiB,
  }));
  for (const d of disks) images.addSource(d.sourcePath, d.capacity);
  const uuid = hv.addDomain({
    name: 'web1',
    disks,
    ...(opts.agent === undefined ? {} : { agent: opts.agent }),
    ...(opts.state ? { state: opts.state } : {}),
  });
  const svc = new BackupService({
    hypervisor: hv,
    imageTool: images,
    catalog,
    fs,
    clock: new FakeClock(),
    random: randomBytes,
    log: silentLogger,
    storeRoot: STORE,
    pollMs: 1,
  });
  const storeFiles = () => [...fs.files.keys()].filter((f) => f.startsWith(STORE + '/'));
  return { hv, fs, images, catalog, svc, uuid, storeFiles };
}

test('first backup: a full point on a new chain (no-chain), filesystem-consistent, files 0600', async (t) => {
  const { svc, hv, fs, uuid, storeFiles } = setup();
  const p = await svc.backup({ domain: 'web1' });
  t.is(p.state, 'available');
  t.is(p.kind, 'full');
  t.is(p.seq, 0);
  t.is(p.newChainReason, 'no-chain');
  t.is(p.consistency, 'filesystem');
  t.true(typeof p.freezeMs === 'number' && p.freezeMs > 0);
  t.is(p.name, `manualbk_${p.id}`, "the default name carries the point's own id");
  t.deepEqual(
    p.disks.map((d) => d.target),
    ['vda', 'vdb'],
  );
  t.is(storeFiles().length, 3, 'two disk files and the manifest');
  for (const f of storeFiles()) t.is(fs.files.get(f)?.mode, 0o600);
  t.is(hv.dom(uuid).checkpoints.length, 1);
  t.is(hv.dom(uuid).checkpoints[0]?.name, `vp-${p.chainId}-0`);
  t.false(hv.dom(uuid).frozen);
  // One backupBegin for all disks, with the checkpoint.
  t.is(hv.backups.length, 1);
  t.deepEqual(
    hv.backups[0]?.spec.disks.map((d) => d.target),
    ['vda', 'vdb'],
  );
});

test('the next backups are incrementals on the open chain, backed by the previous file (relative path)', async (t) => {
  const { svc, hv, images, uuid } = setup();
  const p0 = await svc.backup({ domain: uuid });
  const p1 = await svc.backup({ domain: uuid });
  const p2 = await svc.backup({ domain: uuid, name: 'before-upgrade_2' });
  t.is(p1.kind, 'incremental');
  t.is(p1.chainId, p0.chainId);
  t.is(p1.seq, 1);
  t.is(p2.seq, 2);
  t.is(p2.name, 'before-upgrade_2');
  t.is(hv.backups[1]?.spec.incrementalFrom, `vp-${p0.chainId}-0`);
  t.is(hv.backups[2]?.spec.incrementalFrom, `vp-${p0.chainId}-1`);
  const file = `${STORE}/${p2.disks[0]!.path}`;
  t.is(images.images.get(file)?.opts.backingFile, 'vda.1.qcow2');
});

test('chain length 2: the third backup opens a new chain with reason chain-full and seals the old one', async (t) => {
  const { svc, catalog } = setup();
  const p0 = await svc.backup({ domain: 'web1', chainLength: 2 });
  await svc.backup({ domain: 'web1' });
  const p2 = await svc.backup({ domain: 'web1' });
  t.is(p2.kind, 'full');
  t.is(p2.newChainReason, 'chain-full');
  t.not(p2.chainId, p0.chainId);
  t.is(catalog.getChain(p0.chainId)?.state, 'sealed');
  t.is(catalog.getChain(p0.chainId)?.sealReason, 'chain-full');
});

test("a new chain drops the sealed chain's checkpoints; checkpoints of other tools are left alone", async (t) => {
  const { svc, hv, uuid } = setup();
  hv.dom(uuid).checkpoints.push({
    name: 'other-tool-cp',
    parent: null,
    creationTime: 1,
    description: null,
    disks: [{ target: 'vda', bitmap: 'other-tool-cp' }],
    xml: '<domaincheckpoint/>',
  });
  const p0 = await svc.backup({ domain: 'web1', chainLength: 2 });
  await svc.backup({ domain: 'web1' });
  const p2 = await svc.backup({ domain: 'web1' });
  t.deepEqual(
    hv.dom(uuid).checkpoints.map((c) => c.name),
    ['other-tool-cp', `vp-${p2.chainId}-0`],
  );
  t.not(p0.chainId, p2.chainId);
});

test('libvirt finds the bitmap broken at backupBegin: the attempt is undone and a full chain made (bitmap-inconsistent)', async (t) => {
  const { svc, hv, catalog, uuid } = setup();
  const p0 = await svc.backup({ domain: 'web1' });
  hv.failNext('beginBackup', new VirtpointError('CHECKPOINT_INCONSISTENT', "missing or broken bitmap 'x'"));
  const p1 = await svc.backup({ domain: 'web1' });
  t.is(p1.kind, 'full');
  t.is(p1.newChainReason, 'bitmap-inconsistent');
  t.deepEqual(catalog.listPoints({ state: 'error' }), [], 'the undone attempt leaves no point');
  t.deepEqual(
    hv.dom(uuid).checkpoints.map((c) => c.name),
    [`vp-${p1.chainId}-0`],
  );
  t.not(p1.chainId, p0.chainId);
  t.false(hv.dom(uuid).frozen);
});

test('full requested, disk subset, raw disk: each gets its own chain decision', async (t) => {
  const { svc } = setup({ formats: ['qcow2', 'qcow2', 'raw'] });
  const whole = await svc.backup({ domain: 'web1' });
  t.is(whole.newChainReason, 'non-qcow2-disk');
  t.true(
    whole.disks.every((d) => d.checkpoint === null),
    'no bitmaps for a chain with a raw disk',
  );
  const again = await svc.backup({ domain: 'web1' });
  t.is(again.kind, 'full', 'a raw disk makes every point a full copy');
  const sub = await svc.backup({ domain: 'web1', disks: ['vdb'] });
  t.is(sub.newChainReason, 'no-chain');
  const sub2 = await svc.backup({ domain: 'web1', disks: ['vdb'] });
  t.is(sub2.kind, 'incremental');
  t.is(sub2.chainId, sub.chainId);
  const forced = await svc.backup({ domain: 'web1', disks: ['vdb'], full: true });
  t.is(forced.newChainReason, 'requested');
});

test('a disk resized or a checkpoint deleted behind our back starts a new chain with the reason', async (t) => {
  const { svc, hv, uuid } = setup();
  await svc.backup({ domain: 'web1' });
  hv.dom(uuid).disks[1]!.capacity = 2 * GiB;
  const p = await svc.backup({ domain: 'web1' });
  t.is(p.newChainReason, 'disk-resized');
  hv.dom(uuid).checkpoints = [];
  const q = await svc.backup({ domain: 'web1' });
  t.is(q.newChainReason, 'checkpoint-missing');
});

test('a shut-off domain is started paused, backed up offline and destroyed again', async (t) => {
  const { svc, hv, uuid } = setup({ state: 'shutoff' });
  const p = await svc.backup({ domain: 'web1' });
  t.is(p.consistency, 'offline');
  t.is(hv.count('freezeFilesystems'), 0);
  t.deepEqual(hv.calls.find((c) => c.method === 'startDomain')?.args[1], { paused: true });
  t.is(hv.dom(uuid).state, 'shutoff');
});

test('an offline domain whose bitmap is still in-use (QEMU killed) starts a new chain: bitmap-inconsistent', async (t) => {
  const { svc, hv, images, uuid } = setup();
  const p0 = await svc.backup({ domain: 'web1' });
  hv.dom(uuid).state = 'shutoff';
  const cp = `vp-${p0.chainId}-0`;
  images.addSource('/images/d0.qcow2', GiB, [{ name: cp, flags: ['in-use', 'auto'] }]);
  images.addSource('/images/d1.qcow2', GiB, [{ name: cp, flags: ['auto'] }]);
  const p1 = await svc.backup({ domain: 'web1' });
  t.is(p1.newChainReason, 'bitmap-inconsistent');
});

test('no agent channel: crash-consistent with the reason; quiesce=required fails with AGENT_UNAVAILABLE: an error point, no file, no checkpoint', async (t) => {
  const { svc, catalog, storeFiles, hv, uuid } = setup({ agent: false });
  const p = await svc.backup({ domain: 'web1' });
  t.is(p.consistency, 'crash');
  t.regex(p.consistencyReason ?? '', /no guest agent channel/);
  const before = catalog.listPoints().length;
  const files = storeFiles().length;
  const err = await t.throwsAsync(svc.backup({ domain: 'web1', quiesce: 'required' }));
  t.is((err as VirtpointError).code, 'AGENT_UNAVAILABLE');
  t.is(catalog.listPoints({ state: 'available' }).length, before);
  t.is(catalog.listPoints({ state: 'error' })[0]?.error?.code, 'AGENT_UNAVAILABLE', 'the failure is visible');
  t.is(storeFiles().length, files);
  t.is(hv.dom(uuid).checkpoints.length, 1);
});

test('freeze timeout: thaw is still attempted, the point is crash-consistent (auto) or not made (required)', async (t) => {
  const { svc, hv, uuid } = setup();
  hv.freezeHangs = true;
  const p = await svc.backup({ domain: 'web1' });
  t.is(p.consistency, 'crash');
  t.regex(p.consistencyReason ?? '', /freeze failed/);
  t.is(hv.count('thawFilesystems'), 1);
  t.false(hv.dom(uuid).frozen);
  const err = await t.throwsAsync(svc.backup({ domain: 'web1', quiesce: 'required' }));
  t.is((err as VirtpointError).code, 'FREEZE_TIMEOUT');
  t.false(hv.dom(uuid).frozen);
});

// A failure injected at each step: nothing `creating`, no orphan checkpoint, no partial file,
// the chain does not advance, the guest is thawed.
const steps: [string, (ctx: ReturnType<typeof setup>) => void, ErrorCode | 'ok' | 'ok-crash'][] = [
  [
    'freeze fails (agent gone)',
    ({ hv }) => hv.failNext('freezeFilesystems', new VirtpointError('AGENT_UNAVAILABLE', 'agent gone')),
    'ok-crash',
  ],
  ['backupBegin fails', ({ hv }) => hv.failNext('beginBackup'), 'LIBVIRT_ERROR'],
  ['the job fails halfway', ({ hv }) => (hv.jobOutcome = 'failed'), 'JOB_FAILED'],
  [
    'the job fails and no event comes',
    ({ hv }) => ((hv.jobOutcome = 'failed'), (hv.sendJobEvents = false)),
    'JOB_FAILED',
  ],
  [
    'thaw fails',
    ({ hv }) => (
      hv.failNext('thawFilesystems'),
      hv.failNext('thawFilesystems'),
      hv.failNext('thawFilesystems')
    ),
    'ok',
  ],
  [
    'creating a target file fails',
    ({ images }) => (images.failCreate = new VirtpointError('NO_SPACE', 'disk full')),
    'NO_SPACE',
  ],
  ['job stats fail', ({ hv }) => ((hv.jobOutcome = 'hang'), hv.failNext('getJobStats')), 'LIBVIRT_ERROR'],
  [
    'the catalog write of the result fails',
    ({ catalog }) => {
      const orig = catalog.updatePointState.bind(catalog);
      let first = true;
      catalog.updatePointState = (id, to, patch) => {
        if (to === 'available' && first) {
          first = false;
          throw new VirtpointError('IO_ERROR', 'injected: disk I/O error');
        }
        return orig(id, to, patch);
      };
    },
    'IO_ERROR',
  ],
];

for (const [title, inject, expected] of steps) {
  test(`failure: ${title}`, async (t) => {
    const ctx = setup();
    const { svc, hv, catalog, uuid, storeFiles } = ctx;
    const p0 = await svc.backup({ domain: 'web1' });
    const filesBefore = storeFiles().sort();
    const checkpointsBefore = hv.dom(uuid).checkpoints.map((c) => c.name);
    inject(ctx);
    if (expected.startsWith('ok')) {
      const p = await svc.backup({ domain: 'web1' });
      t.is(p.state, 'available');
      if (expected === 'ok-crash') t.is(p.consistency, 'crash');
      t.false(hv.dom(uuid).frozen && title !== 'thaw fails');
      return;
    }
    const code = expected as ErrorCode;
    const err = await t.throwsAsync(svc.backup({ domain: 'web1' }));
    t.is((err as VirtpointError).code, code);
    t.deepEqual(catalog.listPoints({ state: 'creating' }), [], 'no point left creating');
    const failed = catalog.listPoints({ state: 'error' });
    t.is(failed.length, 1);
    t.is(failed[0]?.error?.code, code);
    t.deepEqual(
      hv.dom(uuid).checkpoints.map((c) => c.name),
      checkpointsBefore,
      'no orphan checkpoint',
    );
    t.deepEqual(storeFiles().sort(), filesBefore, 'no partial file');
    t.false(hv.dom(uuid).frozen, 'guest thawed');
    // The chain did not advance: the next backup is the next incremental on p0.
    hv.jobOutcome = 'completed';
    hv.sendJobEvents = true;
    ctx.images.failCreate = null;
    const next = await svc.backup({ domain: 'web1' });
    t.is(next.chainId, p0.chainId);
    t.is(next.kind, 'incremental');
    t.is(hv.backups.at(-1)?.spec.incrementalFrom, `vp-${p0.chainId}-0`);
  });
}

test('cancel: aborting the signal aborts the job; no point, file or checkpoint is left', async (t) => {
  const { svc, hv, catalog, storeFiles, uuid } = setup();
  hv.jobOutcome = 'hang';
  const ac = new AbortController();
  const run = svc.backup({ domain: 'web1' }, { signal: ac.signal });
  setTimeout(() => ac.abort(), 20);
  const err = await t.throwsAsync(run);
  t.is((err as VirtpointError).code, 'JOB_CANCELED');
  t.deepEqual(storeFiles(), []);
  t.deepEqual(hv.dom(uuid).checkpoints, []);
  t.deepEqual(catalog.listPoints(), [], 'a canceled backup leaves no point');
});

test('not enough free space: NO_SPACE before anything is written', async (t) => {
  const { svc, fs, catalog, hv } = setup();
  fs.free = 10 * 1024 * 1024;
  const err = await t.throwsAsync(svc.backup({ domain: 'web1' }));
  t.is((err as VirtpointError).code, 'NO_SPACE');
  t.deepEqual(catalog.listPoints(), []);
  t.is(hv.backups.length, 0);
});

test('bad input is refused before anything happens', async (t) => {
  const { svc, hv, catalog } = setup();
  const cases: [Parameters<BackupService['backup']>[0], ErrorCode][] = [
    [{ domain: 'nope' }, 'DOMAIN_NOT_FOUND'],
    [{ domain: 'web1', disks: ['vdz'] }, 'DISK_NOT_FOUND'],
    [{ domain: 'web1', disks: ['../etc'] }, 'INVALID_ARGUMENT'],
    [{ domain: 'web1', disks: [] }, 'INVALID_ARGUMENT'],
    [{ domain: 'web1', name: 'a/b' }, 'INVALID_ARGUMENT'],
    [{ domain: 'web1', name: 'x'.repeat(256) }, 'INVALID_ARGUMENT'],
    [{ domain: 'web1', chainLength: 0 }, 'INVALID_ARGUMENT'],
    [{ domain: 'web1', chainLength: 31 }, 'INVALID_ARGUMENT'],
    [{ domain: 'web1', quiesce: 'sometimes' as never }, 'INVALID_ARGUMENT'],
  ];
  for (const [req, code] of cases) {
    const err = await t.throwsAsync(svc.backup(req), undefined, JSON.stringify(req).slice(0, 60));
    t.is((err as VirtpointError).code, code, JSON.stringify(req).slice(0, 60));
  }
  t.is(hv.backups.length, 0);
  t.deepEqual(catalog.listPoints(), []);
  await svc.backup({ domain: 'web1', name: 'nightly-1' });
  const dup = await t.throwsAsync(svc.backup({ domain: 'web1', name: 'nightly-1' }));
  t.is((dup as VirtpointError).code, 'ALREADY_EXISTS');
});

test('one job per domain at a time: concurrent backups of a domain run one after the other', async (t) => {
  const { svc, hv } = setup();
  const [a, b] = await Promise.all([svc.backup({ domain: 'web1' }), svc.backup({ domain: 'web1' })]);
  t.is(a.seq, 0);
  t.is(b.seq, 1);
  t.is(hv.backups.length, 2);
});

test('owners: each task continues only its own chain; A, B, manual, A again: A incremental from its own checkpoint', async (t) => {
  const { svc, hv, catalog, uuid } = setup();
  const A = { taskId: 'aaaaaaaaaaaa', name: 'task-a' };
  const B = { taskId: 'bbbbbbbbbbbb', name: 'task-b' };
  const a1 = await svc.backup({ domain: 'web1', trigger: 'schedule', owner: A });
  const b1 = await svc.backup({ domain: 'web1', trigger: 'schedule', owner: B });
  const m1 = await svc.backup({ domain: 'web1' });
  t.is(b1.kind, 'full', "B does not continue A's chain");
  t.is(m1.kind, 'full', 'a manual backup does not continue a task chain');
  t.is((await svc.plan({ domain: 'web1', owner: A })).decision.kind, 'incremental');
  const planned = (await svc.plan({ domain: 'web1', owner: A })).decision;
  t.like(planned, { kind: 'incremental', chainId: a1.chainId, parentCheckpoint: `vp-${a1.chainId}-0` });
  const a2 = await svc.backup({ domain: 'web1', trigger: 'schedule', owner: A });
  t.like(a2, { kind: 'incremental', chainId: a1.chainId, seq: 1 });
  t.is(hv.backups.at(-1)?.spec.incrementalFrom, `vp-${a1.chainId}-0`);
  const m2 = await svc.backup({ domain: 'web1' });
  t.like(m2, { kind: 'incremental', chainId: m1.chainId }, 'manual backups continue the manual chain');
  t.deepEqual(
    [a1, b1, m1].map((p) => catalog.getChain(p.chainId)?.ownerTaskId ?? null),
    [A.taskId, B.taskId, null],
  );
  t.is(catalog.getChain(b1.chainId)?.ownerName, 'task-b');
  for (const p of [a1, b1, m1]) t.is(catalog.getChain(p.chainId)?.state, 'open', 'no owner seals another');
  t.is(a1.name, `autobk_${a1.id}`);
  const byHand = await svc.backup({ domain: 'web1', trigger: 'manual', owner: A });
  t.is(byHand.name, `backup_${byHand.id}`, 'a task run by hand');
  t.like(byHand, { trigger: 'manual', chainId: a1.chainId, kind: 'incremental' });
  void uuid;
});
