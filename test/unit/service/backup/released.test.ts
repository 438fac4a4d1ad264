import test from 'ava';
import { BackupService } from '../../../../src/service/backup/backup.js';
import { RELEASE_TIMEOUT_MS, targetsReleased } from '../../../../src/service/backup/released.js';
import { fakeBackupHost } from '../../../fakes/backup-host.js';
import { FakeClock, FakeFs } from '../../../fakes/fake-host.js';

/**
 * libvirt reports a push backup's end before it detaches the targets, and QEMU writes its cached
 * qcow2 metadata when it closes them: a point's checksums are read only once no lock is held on
 * its files (QEMU locks every image it has open).
 */

test('the checksum of a target is read only after its locks are gone', async (t) => {
  const host = fakeBackupHost();
  let polls = 0;
  host.fs.locks = (path) => (path.endsWith('.qcow2') && ++polls <= 3 ? 4 : 0);
  const p = await new BackupService(host.deps).backup({ domain: 'web1' });
  t.is(p.state, 'available');
  const ops = host.fs.ops.filter((o) => o.startsWith('locks ') || o.startsWith('checksum '));
  const file = ops.find((o) => o.startsWith('checksum '))!.slice('checksum '.length);
  t.deepEqual(ops, [
    `locks ${file} 4`,
    `locks ${file} 4`,
    `locks ${file} 4`,
    `locks ${file} 0`,
    `checksum ${file}`,
  ]);
});

test('a target QEMU does not let go of within the deadline: JOB_FAILED, an error point, no file left', async (t) => {
  const host = fakeBackupHost();
  host.fs.locks = (path) => (path.endsWith('.qcow2') ? 4 : 0);
  const err = await t.throwsAsync(new BackupService(host.deps).backup({ domain: 'web1' }), {
    code: 'JOB_FAILED',
    message: /QEMU still holds .*vda\.0\.qcow2 60 s after the backup job ended.*back up again/,
  });
  t.truthy(err);
  t.deepEqual(
    host.catalog.listPoints().map((p) => p.state),
    ['error'],
  );
  t.deepEqual(
    [...host.fs.files.keys()].filter((f) => f.endsWith('.qcow2') && f.startsWith('/store/')),
    [],
  );
  t.is(host.fs.ops.filter((o) => o.startsWith('checksum ')).length, 0, 'no checksum was recorded');
});

test('targetsReleased: waits for every file in turn, stops at the deadline and on cancel', async (t) => {
  const fs = new FakeFs();
  const clock = new FakeClock();
  fs.dirs.add('/s');
  for (const f of ['/s/a', '/s/b']) await fs.writeFile(f, 'x', 0o600);
  const left = new Map([
    ['/s/a', 2],
    ['/s/b', 1],
  ]);
  fs.locks = (p) => {
    const n = left.get(p)!;
    left.set(p, Math.max(0, n - 1));
    return n;
  };
  await targetsReleased({ fs, clock }, ['/s/a', '/s/b']);
  t.deepEqual([...left.values()], [0, 0]);

  fs.locks = () => 1;
  const start = clock.now();
  await t.throwsAsync(targetsReleased({ fs, clock }, ['/s/a']), { code: 'JOB_FAILED' });
  t.true(clock.now() - start >= RELEASE_TIMEOUT_MS);

  const ac = new AbortController();
  ac.abort();
  await t.throwsAsync(targetsReleased({ fs, clock }, ['/s/a'], ac.signal), { code: 'JOB_CANCELED' });
});
