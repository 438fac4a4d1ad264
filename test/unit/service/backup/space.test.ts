import test from 'ava';
import { BackupService } from '../../../../src/service/backup/backup.js';
import { preallocateFull } from '../../../../src/service/backup/space.js';
import { fakeBackupHost } from '../../../fakes/backup-host.js';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

function setup() {
  const { hv, fs, images, catalog, deps, uuid } = fakeBackupHost();
  return { hv, fs, images, catalog, svc: new BackupService(deps), uuid };
}

test('an incremental whose changes do not fit is refused up front (NO_SPACE): no point, no seq used, no file', async (t) => {
  const { hv, fs, catalog, svc, uuid } = setup();
  const p0 = await svc.backup({ domain: uuid });
  const files = fs.files.size;
  hv.dirtyBytes = 500 * MiB;
  fs.free = 300 * MiB;
  const err = await t.throwsAsync(svc.backup({ domain: uuid }), { code: 'NO_SPACE' });
  t.regex(err?.message ?? '', /incremental backup needs about \d+ \(the bytes changed since checkpoint vp-/);
  t.is(catalog.listPoints({}).length, 1);
  t.is(fs.files.size, files);
  // Once there is room, the next incremental takes seq 1: none was used up.
  fs.free = 2 * GiB;
  const p1 = await svc.backup({ domain: uuid });
  t.is(p1.chainId, p0.chainId);
  t.is(p1.seq, 1);
});

test('a small incremental fits where a full would not', async (t) => {
  const { hv, fs, svc, uuid } = setup();
  await svc.backup({ domain: uuid });
  hv.dirtyBytes = 10 * MiB;
  fs.free = 100 * MiB;
  const p1 = await svc.backup({ domain: uuid });
  t.is(p1.kind, 'incremental');
});

test('a store that fills during the copy: NO_SPACE, not JOB_FAILED; the chain is intact', async (t) => {
  const { hv, svc, uuid, catalog } = setup();
  const p0 = await svc.backup({ domain: uuid });
  hv.jobOutcome = 'failed';
  hv.jobError = 'No space left on device';
  await t.throwsAsync(svc.backup({ domain: uuid }), { code: 'NO_SPACE', message: /No space left on device/ });
  t.is(catalog.getPoint(p0.id)?.state, 'available');
  t.is(catalog.getChain(p0.chainId)?.state, 'open');
  t.deepEqual(
    hv.dom(uuid).checkpoints.map((c) => c.name),
    [`vp-${p0.chainId}-0`],
  );
});

test('preallocateFull: at least half allocated only; unknown allocation or size: no', (t) => {
  t.true(preallocateFull(512 * MiB, GiB));
  t.true(preallocateFull(GiB, GiB));
  t.false(preallocateFull(512 * MiB - 1, GiB));
  t.false(preallocateFull(undefined, GiB));
  t.false(preallocateFull(0, 0));
});

test('a full target gets preallocation=metadata when its disk is mostly allocated; incrementals never', async (t) => {
  const { images, svc, uuid } = setup();
  const source = images.images.get('/images/a.qcow2')!;
  source.actualSize = GiB; // the fake stat knows no allocation: the backup asks info
  const full = await svc.backup({ domain: uuid });
  const incr = await svc.backup({ domain: uuid });
  const opts = (p: typeof full) => images.images.get(`/store/${p.disks[0]!.path}`)?.opts;
  t.is(opts(full)?.preallocation, 'metadata');
  t.is(opts(incr)?.preallocation, undefined);
  t.is(opts(incr)?.backingFile, 'vda.0.qcow2');
});

test('a full target of a mostly empty disk is not preallocated (its checksum would read the holes)', async (t) => {
  const { images, svc, uuid } = setup(); // the fake source is a quarter allocated
  const full = await svc.backup({ domain: uuid });
  t.is(images.images.get(`/store/${full.disks[0]!.path}`)?.opts.preallocation, undefined);
});

test('when the Fs knows allocations, a backup spawns no qemu-img info (sizes and the estimate from stat)', async (t) => {
  const { fs, images, svc, uuid } = setup();
  const stat = fs.stat.bind(fs);
  fs.stat = async (path) => ({ ...(await stat(path)), allocated: 7 * MiB });
  let infos = 0;
  const info = images.info.bind(images);
  images.info = (path) => {
    infos++;
    return info(path);
  };
  const full = await svc.backup({ domain: uuid });
  const incr = await svc.backup({ domain: uuid });
  t.is(infos, 0);
  t.is(full.disks[0]!.size, 7 * MiB);
  t.is(incr.disks[0]!.size, 7 * MiB);
});
