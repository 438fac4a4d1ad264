import test, { type ExecutionContext } from 'ava';
import { VirtpointError, type ErrorCode } from '../../../../src/core/errors.js';
import type { DomainState } from '../../../../src/ports/hypervisor.js';
import type { RollbackRequest } from '../../../../src/service/restore/rollback.js';
import { GiB, setup, type SetupOptions } from './_restore.js';

const VDA = '/vm/db1-vda.qcow2';
const VDB = '/vm/db1-vdb.qcow2';

async function rejects(t: ExecutionContext, p: Promise<unknown>, code: ErrorCode, message?: RegExp) {
  const e = await t.throwsAsync(p);
  t.true(e instanceof VirtpointError, String(e));
  t.is((e as VirtpointError).code, code, e?.message);
  if (message) t.regex(e!.message, message);
  return e as VirtpointError;
}

/** Nothing changed: originals hold their data, no temp files, point available, domain as before. */
function unchanged(
  t: ExecutionContext,
  s: Awaited<ReturnType<typeof setup>>,
  state: DomainState = 'running',
) {
  t.is(s.data(VDA), `orig:${VDA}`);
  t.is(s.data(VDB), `orig:${VDB}`);
  t.deepEqual(s.leftovers(), []);
  t.is(s.catalog.getPoint(s.ps[0]!.id)?.state, 'available');
  t.is(s.hv.dom(s.uuid).state, state);
  t.is(s.catalog.listChains({ state: 'open' }).length, 1, 'the chain stays open');
}

test('rollback of a running 2-disk domain: flattened files renamed over the originals, VM running again', async (t) => {
  const s = await setup({ points: 3 });
  const { hv, fs, uuid, ps, catalog } = s;
  hv.dom(uuid).checkpoints.push({ ...hv.dom(uuid).checkpoints[0]!, name: 'other-tool' });
  const progress: { done: number; total: number | null; phase?: string }[] = [];
  const res = await s.restore.rollback(
    { domain: 'db1', pointId: ps[1]!.id },
    { onProgress: (p) => progress.push(p) },
  );
  t.deepEqual(res.disks, [
    { source: 'vda', target: 'vda', bytes: GiB },
    { source: 'vdb', target: 'vdb', bytes: 2 * GiB },
  ]);
  t.is(s.data(VDA), `flat:${s.file(ps[1]!, 'vda')}`);
  t.is(s.data(VDB), `flat:${s.file(ps[1]!, 'vdb')}`);
  t.like(fs.files.get(VDA), { mode: 0o640, uid: 107, gid: 107 }, 'owner and mode of the original');
  t.deepEqual(s.leftovers(), []);
  // every temp file is written and synced before the first rename; the directory synced after
  const firstRename = fs.ops.findIndex((o) => o.startsWith('rename /vm/'));
  const syncs = fs.ops.map((o, i) => [o, i] as const).filter(([o]) => /^fsync \/vm\/\.db1-vd[ab]/.test(o));
  t.is(syncs.length, 2);
  t.true(syncs.every(([, i]) => i < firstRename));
  t.true(fs.ops.indexOf('fsyncDir /vm') > firstRename);
  t.is(hv.dom(uuid).state, 'running');
  t.true(res.started);
  t.deepEqual(
    hv.calls.filter((c) => c.method === 'shutdownDomain').map((c) => c.args[1]),
    ['acpi', 'agent'],
  );
  // checkpoints: ours dropped (metadata only), others reported and kept
  const chain = ps[0]!.chainId;
  t.deepEqual(res.checkpointsDropped, [`vp-${chain}-0`, `vp-${chain}-1`, `vp-${chain}-2`]);
  t.deepEqual(res.foreignCheckpoints, ['other-tool']);
  t.deepEqual(
    hv.dom(uuid).checkpoints.map((c) => c.name),
    ['other-tool'],
  );
  t.true(
    hv.calls
      .filter((c) => c.method === 'deleteCheckpoint')
      .every((c) => (c.args[2] as { metadataOnly?: boolean }).metadataOnly === true),
  );
  t.like(catalog.getChain(chain), { state: 'sealed', sealReason: 'restored' });
  t.is(catalog.getPoint(ps[1]!.id)?.state, 'available');
  t.deepEqual(progress.at(-1), { done: 3 * GiB, total: 3 * GiB, phase: 'starting db1' });
  t.true(progress.every((p, i) => i === 0 || p.done >= progress[i - 1]!.done));
  // What it is doing, in order, for the CLI to show while it waits.
  t.deepEqual(
    [...new Set(progress.map((p) => p.phase))],
    ['shutting down db1 via agent and ACPI', 'writing vda', 'writing vdb', 'starting db1'],
  );
});

test("rollback drops only this catalog's checkpoints: a second daemon's vp-<chain>-<seq> (chain not in this catalog) is kept and reported", async (t) => {
  const s = await setup({ points: 2 });
  const { hv, uuid, ps } = s;
  const mine = hv.dom(uuid).checkpoints[0]!;
  // Another daemon (its own catalog) backs up the same domain: valid virtpoint names, unknown chain.
  const theirs = ['vp-0123456789ab-0', 'vp-0123456789ab-1'];
  for (const name of theirs) hv.dom(uuid).checkpoints.push({ ...mine, name });
  const res = await s.restore.rollback({ domain: 'db1', pointId: ps[0]!.id });
  const chain = ps[0]!.chainId;
  t.deepEqual(res.checkpointsDropped, [`vp-${chain}-0`, `vp-${chain}-1`]);
  t.deepEqual(res.foreignCheckpoints, theirs);
  t.deepEqual(
    hv.dom(uuid).checkpoints.map((c) => c.name),
    theirs,
  );
  t.false(hv.calls.some((c) => c.method === 'deleteCheckpoint' && theirs.includes(c.args[1] as string)));
});

test('the next backup after a rollback is a new full chain with reason restored', async (t) => {
  const s = await setup();
  await s.restore.rollback({ domain: s.uuid, pointId: s.ps[0]!.id });
  const next = await s.backup.backup({ domain: s.uuid, disks: ['vda', 'vdb'] });
  t.is(next.kind, 'full');
  t.is(next.newChainReason, 'restored');
  t.not(next.chainId, s.ps[0]!.chainId);
});

test('the point is restoring while the rollback runs', async (t) => {
  const s = await setup();
  let seen: string | undefined;
  await s.restore.rollback(
    { domain: s.uuid, pointId: s.ps[0]!.id },
    { onProgress: () => (seen = s.catalog.getPoint(s.ps[0]!.id)?.state) },
  );
  t.is(seen, 'restoring');
  t.is(s.catalog.getPoint(s.ps[0]!.id)?.state, 'available');
});

test("the chains are sealed before the originals' second names go (a kill -9 between them still reads as a completed rollback)", async (t) => {
  const s = await setup({ points: 2 });
  const chain = s.ps[0]!.chainId;
  const seen: string[] = [];
  const remove = s.fs.removeFile.bind(s.fs);
  s.fs.removeFile = async (path: string) => {
    if (path.includes('virtpoint-orig-')) seen.push(s.catalog.getChain(chain)?.state ?? 'gone');
    return remove(path);
  };
  await s.restore.rollback({ domain: 'db1', pointId: s.ps[0]!.id });
  t.deepEqual(seen, ['sealed', 'sealed'], 'one second name per disk, each removed after the seal');
  t.deepEqual(s.leftovers(), []);
});

test('a stopped domain: no shutdown, stays off; --start starts it; --no-start keeps a running one off', async (t) => {
  const s = await setup({ state: 'shutoff' });
  const r1 = await s.restore.rollback({ domain: s.uuid, pointId: s.ps[0]!.id });
  t.false(r1.started);
  t.is(s.hv.count('shutdownDomain'), 0);
  t.is(s.hv.dom(s.uuid).state, 'shutoff');
  const r2 = await s.restore.rollback({ domain: s.uuid, pointId: s.ps[1]!.id, start: true });
  t.true(r2.started);
  t.is(s.hv.dom(s.uuid).state, 'running');
  const r3 = await s.restore.rollback({ domain: s.uuid, pointId: s.ps[1]!.id, start: false });
  t.false(r3.started);
  t.is(s.hv.dom(s.uuid).state, 'shutoff');
});

test('--disk limits the rollback to one disk; the other is untouched', async (t) => {
  const s = await setup();
  const res = await s.restore.rollback({ domain: s.uuid, pointId: s.ps[0]!.id, disks: ['vdb'] });
  t.deepEqual(res.disks, [{ source: 'vdb', target: 'vdb', bytes: 2 * GiB }]);
  t.is(s.data(VDA), `orig:${VDA}`);
  t.is(s.data(VDB), `flat:${s.file(s.ps[0]!, 'vdb')}`);
  await rejects(
    t,
    s.restore.rollback({ domain: s.uuid, pointId: s.ps[0]!.id, disks: ['vdz'] }),
    'DISK_NOT_FOUND',
  );
});

test('--map writes a disk onto a larger disk in its format, resized to its capacity', async (t) => {
  const s = await setup({
    extra: [{ target: 'vdc', sourcePath: '/vm/db1-vdc.raw', format: 'raw', capacity: 4 * GiB }],
  });
  const res = await s.restore.rollback({
    domain: s.uuid,
    pointId: s.ps[0]!.id,
    disks: ['vdb'],
    map: { vdb: 'vdc' },
  });
  t.deepEqual(res.disks, [{ source: 'vdb', target: 'vdc', bytes: 2 * GiB }]);
  t.is(s.data('/vm/db1-vdc.raw'), `flat:${s.file(s.ps[0]!, 'vdb')}`);
  t.is(s.data(VDB), `orig:${VDB}`);
  t.is(s.images.converts.at(-1)?.opts.format, 'raw');
  t.like(s.images.resizes.at(-1), { size: 4 * GiB, format: 'raw' });
});

test('--map onto a too-small disk: INVALID_ARGUMENT naming both sizes, nothing changed', async (t) => {
  const s = await setup({
    extra: [{ target: 'vdc', sourcePath: '/vm/db1-vdc.qcow2', format: 'qcow2', capacity: GiB }],
  });
  await rejects(
    t,
    s.restore.rollback({ domain: s.uuid, pointId: s.ps[0]!.id, map: { vdb: 'vdc' } }),
    'INVALID_ARGUMENT',
    new RegExp(`vdc holds ${GiB} bytes.*vdb needs ${2 * GiB} bytes`),
  );
  unchanged(t, s);
  t.is(s.data('/vm/db1-vdc.qcow2'), 'orig:/vm/db1-vdc.qcow2');
  t.is(s.hv.count('shutdownDomain'), 0);
});

test('a data disk never goes onto the system disk (first disk, or by boot order)', async (t) => {
  const s = await setup();
  s.hv.dom(s.uuid).disks[0]!.capacity = 4 * GiB;
  await rejects(
    t,
    s.restore.rollback({ domain: s.uuid, pointId: s.ps[0]!.id, disks: ['vdb'], map: { vdb: 'vda' } }),
    'INVALID_ARGUMENT',
    /data disk.*system disk vda/,
  );
  unchanged(t, s);
  // with boot order, vdb is the system disk: vda (data) may not go onto it, vdb onto vda may
  s.hv.dom(s.uuid).disks[1]!.bootOrder = 1;
  await rejects(
    t,
    s.restore.rollback({ domain: s.uuid, pointId: s.ps[0]!.id, disks: ['vda'], map: { vda: 'vdb' } }),
    'INVALID_ARGUMENT',
    /system disk vdb/,
  );
  const res = await s.restore.rollback({
    domain: s.uuid,
    pointId: s.ps[0]!.id,
    disks: ['vdb'],
    map: { vdb: 'vda' },
  });
  t.deepEqual(res.disks, [{ source: 'vdb', target: 'vda', bytes: 2 * GiB }]);
});

test('bad requests are refused before anything happens', async (t) => {
  const s = await setup();
  const other = s.hv.addDomain({ name: 'other', disks: [] });
  const p = s.ps[0]!.id;
  const cases: [Partial<RollbackRequest>, ErrorCode][] = [
    [{ pointId: '000000000000' }, 'POINT_NOT_FOUND'],
    [{ pointId: 'nope' }, 'POINT_NOT_FOUND'],
    [{ domain: other }, 'INVALID_ARGUMENT'],
    [{ domain: 'ghost' }, 'DOMAIN_NOT_FOUND'],
    [{ map: { vdb: 'vdq' } }, 'DISK_NOT_FOUND'],
    [{ disks: ['vda'], map: { vdb: 'vda' } }, 'INVALID_ARGUMENT'],
    [{ map: { vda: 'vdb' } }, 'INVALID_ARGUMENT'],
    [{ map: { 'a/b': 'vdb' } }, 'INVALID_ARGUMENT'],
    [{ shutdownTimeoutMs: -1 }, 'INVALID_ARGUMENT'],
  ];
  for (const [over, code] of cases) {
    await rejects(t, s.restore.rollback({ domain: s.uuid, pointId: p, ...over }), code);
  }
  unchanged(t, s);
  t.is(s.hv.count('shutdownDomain'), 0);
  s.catalog.updatePointState(p, 'restoring');
  await rejects(t, s.restore.rollback({ domain: s.uuid, pointId: p }), 'POINT_BUSY');
  s.catalog.updatePointState(p, 'error', { error: { code: 'IO_ERROR', message: 'x' } });
  await rejects(t, s.restore.rollback({ domain: s.uuid, pointId: p }), 'INVALID_STATE');
});

// With an agent channel both requests go out at once (domain-power.ts; timing in domain-power.test.ts).
const shutdownCases: [string, SetupOptions['shutdown'], string[]][] = [
  ['ACPI works', {}, ['acpi', 'agent']],
  ['ACPI ignored, the agent stops it', { acpi: 'ignore' }, ['acpi', 'agent']],
  ['ACPI refused, the agent stops it', { acpi: 'fail' }, ['acpi', 'agent']],
  ['the agent refused, ACPI stops it', { agent: 'fail' }, ['acpi', 'agent']],
  ['a slow guest stops after a while', { afterPolls: 5 }, ['acpi', 'agent']],
];
for (const [title, shutdown, modes] of shutdownCases) {
  test(`graceful shutdown: ${title}`, async (t) => {
    const s = await setup({ ...(shutdown ? { shutdown } : {}) });
    const res = await s.restore.rollback({ domain: s.uuid, pointId: s.ps[0]!.id, shutdownTimeoutMs: 20_000 });
    t.deepEqual(
      s.hv.calls.filter((c) => c.method === 'shutdownDomain').map((c) => c.args[1]),
      modes,
    );
    t.is(s.hv.count('destroyDomain'), 0);
    t.true(res.started);
  });
}

test('a domain that does not shut down: INVALID_STATE "use --force", nothing changed', async (t) => {
  const s = await setup({ shutdown: { acpi: 'ignore', agent: 'ignore' } });
  const t0 = s.clock.t;
  await rejects(
    t,
    s.restore.rollback({ domain: s.uuid, pointId: s.ps[0]!.id, shutdownTimeoutMs: 4000 }),
    'INVALID_STATE',
    /did not shut down in 4 s; use --force/,
  );
  t.true(s.clock.t - t0 >= 4000, 'it waited the whole timeout');
  unchanged(t, s);
  t.is(s.images.converts.length, 0);
  t.is(s.hv.count('destroyDomain'), 0);
});

test('without an agent channel only ACPI is tried', async (t) => {
  const s = await setup({ agent: false, shutdown: { acpi: 'ignore' } });
  await rejects(
    t,
    s.restore.rollback({ domain: s.uuid, pointId: s.ps[0]!.id, shutdownTimeoutMs: 2000 }),
    'INVALID_STATE',
  );
  t.deepEqual(
    s.hv.calls.filter((c) => c.method === 'shutdownDomain').map((c) => c.args[1]),
    ['acpi'],
  );
});

test('--force destroys a domain that does not shut down, then rolls back and starts it', async (t) => {
  const s = await setup({ shutdown: { acpi: 'ignore', agent: 'ignore' } });
  const res = await s.restore.rollback({
    domain: s.uuid,
    pointId: s.ps[0]!.id,
    shutdownTimeoutMs: 2000,
    force: true,
  });
  t.is(s.hv.count('destroyDomain'), 1);
  t.is(s.data(VDA), `flat:${s.file(s.ps[0]!, 'vda')}`);
  t.true(res.started);
});

// Failure injection at every step of writing and swapping the second disk (vdb).
const onVdb = (p: string) => p.includes('db1-vdb');
const steps: [string, (s: Awaited<ReturnType<typeof setup>>) => void, ErrorCode][] = [
  ['convert fails', (s) => s.images.failNext('convert', undefined, onVdb), 'COMMAND_FAILED'],
  ['no space (qemu-img)', (s) => (s.images.noSpaceUnder = '/vm/.db1-vdb'), 'NO_SPACE'],
  ['resize fails', (s) => s.images.failNext('resize', undefined, onVdb), 'COMMAND_FAILED'],
  ['stat of the original fails', (s) => s.fs.failNext('stat', undefined, onVdb), 'IO_ERROR'],
  ['chown fails', (s) => s.fs.failNext('chown', undefined, onVdb), 'IO_ERROR'],
  ['fsync fails', (s) => s.fs.failNext('fsyncFile', undefined, onVdb), 'IO_ERROR'],
  ['keeping the original fails', (s) => s.fs.failNext('link', undefined, onVdb), 'IO_ERROR'],
  ['the second rename fails', (s) => s.fs.failNext('rename', undefined, onVdb), 'IO_ERROR'],
];
for (const [title, inject, code] of steps) {
  test(`failure: ${title} → originals untouched, temp files gone, point available, domain running`, async (t) => {
    const s = await setup();
    s.hv.dom(s.uuid).disks[1]!.capacity = 3 * GiB; // grown since the point: vdb is resized
    inject(s);
    await rejects(t, s.restore.rollback({ domain: s.uuid, pointId: s.ps[0]!.id }), code);
    unchanged(t, s);
    t.is(s.hv.count('startDomain'), 1, 'started again');
    t.is(s.hv.dom(s.uuid).checkpoints.length, 2, 'checkpoints kept');
  });
}

test('failure on a stopped domain leaves it stopped', async (t) => {
  const s = await setup({ state: 'shutoff' });
  s.images.failNext('convert');
  await rejects(t, s.restore.rollback({ domain: s.uuid, pointId: s.ps[0]!.id }), 'COMMAND_FAILED');
  unchanged(t, s, 'shutoff');
  t.is(s.hv.count('startDomain'), 0);
});

test('a canceled rollback is JOB_CANCELED and changes nothing', async (t) => {
  const s = await setup();
  const ac = new AbortController();
  ac.abort();
  s.images.failNext('convert', new Error('The operation was aborted'));
  await rejects(
    t,
    s.restore.rollback({ domain: s.uuid, pointId: s.ps[0]!.id }, { signal: ac.signal }),
    'JOB_CANCELED',
  );
  unchanged(t, s);
});

test('a domain that cannot be started afterwards: the rollback is done, started false', async (t) => {
  const s = await setup();
  s.hv.failNext('startDomain');
  const res = await s.restore.rollback({ domain: s.uuid, pointId: s.ps[0]!.id });
  t.false(res.started);
  t.is(s.data(VDA), `flat:${s.file(s.ps[0]!, 'vda')}`);
  t.is(s.catalog.getPoint(s.ps[0]!.id)?.state, 'available');
});

test('failure: the first disk fails to sync while the second copies → nothing changed, no temp file left', async (t) => {
  const s = await setup();
  s.fs.failNext('fsyncFile', undefined, (p) => p.includes('db1-vda'));
  await rejects(t, s.restore.rollback({ domain: s.uuid, pointId: s.ps[0]!.id }), 'IO_ERROR');
  unchanged(t, s);
  t.is(s.images.converts.length, 2, 'the second disk was copied meanwhile');
});

test('a rollback submitted with its check is planned once: the disks are not looked at again under the lock', async (t) => {
  const s = await setup();
  const req: RollbackRequest = { domain: 'db1', pointId: s.ps[0]!.id };
  const checked = await s.restore.checkRollback(req);
  t.is(s.hv.count('getBlockInfo'), 2);
  await s.restore.run(s.uuid, req, {}, checked);
  t.is(s.hv.count('getBlockInfo'), 2, 'no second plan');
  t.is(s.data(VDA), `flat:${s.file(s.ps[0]!, 'vda')}`);
});

test('a rollback whose domain disks changed after the check is planned again under the lock', async (t) => {
  const s = await setup();
  const req: RollbackRequest = { domain: 'db1', pointId: s.ps[0]!.id };
  const checked = await s.restore.checkRollback(req);
  s.hv.dom(s.uuid).disks[1]!.format = 'raw';
  await s.restore.run(s.uuid, req, {}, checked);
  t.is(s.hv.count('getBlockInfo'), 4, 'planned again');
  t.is(s.images.converts.find((c) => c.target.includes('db1-vdb'))?.opts.format, 'raw');
});
