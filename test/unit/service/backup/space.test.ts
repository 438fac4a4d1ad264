import test from 'ava';
import { BackupService } from '../../../../src/service/backup/backup.js';
import { fakeBackupHost } from '../../../fakes/backup-host.js';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

function setup() {
  const { hv, fs, catalog, deps, uuid } = fakeBackupHost();
  return { hv, fs, catalog, svc: new BackupService(deps), uuid };
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
