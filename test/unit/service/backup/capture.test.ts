import test from 'ava';
import { randomBytes } from 'node:crypto';
import { SqliteCatalog } from '../../../../src/adapters/sqlite/sqlite-catalog.js';
import { silentLogger } from '../../../../src/ports/logger.js';
import { BackupService } from '../../../../src/service/backup/backup.js';
import { capture, checkThawed } from '../../../../src/service/backup/capture.js';
import { fakeBackupHost } from '../../../fakes/backup-host.js';
import { FakeHypervisor } from '../../../fakes/fake-hypervisor.js';
import { FakeClock, FakeFs, FakeImageTool } from '../../../fakes/fake-host.js';

const GiB = 1024 ** 3;
const spec = {
  disks: [{ target: 'vda', targetPath: '/store/x/vda.0.qcow2', targetFormat: 'qcow2' as const }],
};

function domain() {
  const hv = new FakeHypervisor();
  const uuid = hv.addDomain({
    name: 'web1',
    disks: [{ target: 'vda', sourcePath: '/images/a.qcow2', format: 'qcow2', capacity: GiB }],
  });
  return { hv, uuid };
}

for (const timeoutMs of [3000, 10_000]) {
  test(`a hung agent: freeze, thaw and the check after the job take at most the freeze timeout (${timeoutMs} ms) together`, async (t) => {
    const { hv, uuid } = domain();
    const clock = new FakeClock();
    clock.step = 0;
    hv.agentHung = clock;
    const t0 = clock.now();
    const r = await capture(hv, clock, silentLogger, {
      uuid,
      spec,
      quiesce: 'auto',
      offline: false,
      hasAgentChannel: true,
      freezeTimeoutMs: timeoutMs,
    });
    await checkThawed(hv, silentLogger, uuid, r.check);
    t.true(clock.now() - t0 <= timeoutMs, `took ${clock.now() - t0} ms`);
    t.is(r.consistency, 'crash');
    t.is(hv.backups.length, 1);
    t.is(hv.count('thawFilesystems'), 1);
    t.is(hv.count('agentCommand'), 1, 'the freeze state was asked after the job');
  });
}

test('a freeze the agent carried out although it reported a timeout, and a thaw that fails: the check after the job thaws the guest', async (t) => {
  const hv = new FakeHypervisor();
  const fs = new FakeFs();
  const images = new FakeImageTool(fs);
  images.addSource('/images/a.qcow2', GiB);
  const uuid = hv.addDomain({
    name: 'web1',
    disks: [{ target: 'vda', sourcePath: '/images/a.qcow2', format: 'qcow2', capacity: GiB }],
  });
  const svc = new BackupService({
    hypervisor: hv,
    imageTool: images,
    catalog: new SqliteCatalog({ path: ':memory:' }),
    fs,
    clock: new FakeClock(),
    random: randomBytes,
    log: silentLogger,
    storeRoot: '/store',
    pollMs: 1,
  });
  hv.freezeHangs = true; // the fake freezes, then reports a timeout
  for (let i = 0; i < 3; i++) hv.failNext('thawFilesystems');
  const p = await svc.backup({ domain: uuid });
  t.is(p.consistency, 'crash');
  t.false(hv.dom(uuid).frozen);
  t.true(
    hv.calls.some((c) => c.method === 'agentCommand' && String(c.args[1]).includes('guest-fsfreeze-status')),
  );
});

test('a hung agent that runs the queued freeze when it resumes: the guest is watched and thawed after the backup', async (t) => {
  const hv = new FakeHypervisor();
  const fs = new FakeFs();
  const images = new FakeImageTool(fs);
  images.addSource('/images/a.qcow2', GiB);
  const uuid = hv.addDomain({
    name: 'web1',
    disks: [{ target: 'vda', sourcePath: '/images/a.qcow2', format: 'qcow2', capacity: GiB }],
  });
  const clock = new FakeClock();
  const svc = new BackupService({
    hypervisor: hv,
    imageTool: images,
    catalog: new SqliteCatalog({ path: ':memory:' }),
    fs,
    clock,
    random: randomBytes,
    log: silentLogger,
    storeRoot: '/store',
    pollMs: 1,
    freezeTimeoutMs: 3000,
  });
  hv.agentHung = clock;
  const p = await svc.backup({ domain: uuid });
  t.is(p.consistency, 'crash');
  t.true(svc.thawWatch.watching(uuid));
  // qemu-ga resumes and runs the freeze it had queued.
  hv.agentHung = null;
  hv.dom(uuid).frozen = true;
  await svc.thawWatch.idle();
  t.false(hv.dom(uuid).frozen);
  t.false(svc.thawWatch.watching(uuid));
});

test('the next backup of the domain ends the watch (it must not thaw that backup\u2019s freeze)', async (t) => {
  const { hv, uuid } = domain();
  const clock = new FakeClock();
  const { ThawWatch } = await import('../../../../src/service/backup/thaw-watch.js');
  const w = new ThawWatch(hv, clock, silentLogger, { intervalMs: 1000 });
  hv.agentHung = clock;
  w.start(uuid);
  t.true(w.watching(uuid));
  w.stop(uuid);
  t.false(w.watching(uuid));
});

test('the freeze window holds only freeze, backupBegin and thaw: the domain disks come with the spec', async (t) => {
  const { hv, deps, uuid } = fakeBackupHost();
  const svc = new BackupService(deps);
  await svc.backup({ domain: uuid });
  t.deepEqual(hv.backups[0]?.spec.domainDisks, ['vda']);
  const methods = hv.calls.map((c) => c.method);
  const freeze = methods.indexOf('freezeFilesystems');
  t.deepEqual(methods.slice(freeze, freeze + 3), ['freezeFilesystems', 'beginBackup', 'thawFilesystems']);
});
