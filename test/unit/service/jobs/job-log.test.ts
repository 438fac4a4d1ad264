import test from 'ava';
import { randomBytes } from 'node:crypto';
import { SqliteCatalog } from '../../../../src/adapters/sqlite/sqlite-catalog.js';
import { VirtpointError } from '../../../../src/core/errors.js';
import { BackupService } from '../../../../src/service/backup/backup.js';
import { submitBackup } from '../../../../src/service/backup/submit.js';
import { jobScopedLogger } from '../../../../src/service/jobs/job-log.js';
import { JobRunner } from '../../../../src/service/jobs/runner.js';
import { FakeHypervisor } from '../../../fakes/fake-hypervisor.js';
import { FakeClock, FakeFs, FakeImageTool } from '../../../fakes/fake-host.js';
import { recordingLogger } from '../../../fakes/recording-logger.js';

const D1 = '11111111-1111-4111-8111-111111111111';

test('a job logs with job, domain and domainName: its own logger, the services it calls, the runner', async (t) => {
  const rec = recordingLogger();
  const catalog = new SqliteCatalog({ path: ':memory:' });
  catalog.upsertDomain({ uuid: D1, name: 'web' });
  const runner = new JobRunner({ catalog, log: rec.log });
  const service = jobScopedLogger(rec.log); // a service's logger, as daemon/compose.ts wires it
  const deep = async () => {
    await new Promise((r) => setTimeout(r, 5));
    service.info({ step: 2 }, 'deep inside');
  };
  const ok = runner.submit({ type: 'delete', trigger: 'manual', domainUuid: D1 }, async (ctx) => {
    ctx.log.info({ step: 1 }, 'from the job body');
    await deep();
    return null;
  });
  const bad = runner.submit({ type: 'cleanup', trigger: 'retention', domainUuid: D1 }, async () => {
    throw new VirtpointError('NO_SPACE', 'store full');
  });
  service.info({}, 'outside any job');
  await runner.wait(ok.id);
  await runner.wait(bad.id);
  const line = (msg: string) => rec.records.find((r) => r.msg === msg)!.obj;
  t.like(line('from the job body'), { job: ok.id, domain: D1, domainName: 'web', step: 1 });
  t.like(line('deep inside'), { job: ok.id, domain: D1, domainName: 'web', step: 2 });
  t.like(line('job failed'), { job: bad.id, domain: D1, domainName: 'web', code: 'NO_SPACE' });
  t.false('job' in line('outside any job'));
});

test('every line a backup job logs carries job, domain and domainName (freeze failure included)', async (t) => {
  const rec = recordingLogger();
  const hv = new FakeHypervisor();
  const fs = new FakeFs();
  const images = new FakeImageTool(fs);
  images.addSource('/images/a.qcow2', 1 << 30);
  const catalog = new SqliteCatalog({ path: ':memory:' });
  const uuid = hv.addDomain({
    name: 'db1',
    disks: [{ target: 'vda', sourcePath: '/images/a.qcow2', format: 'qcow2', capacity: 1 << 30 }],
  });
  const log = jobScopedLogger(rec.log);
  const backup = new BackupService({
    hypervisor: hv,
    imageTool: images,
    catalog,
    fs,
    log,
    storeRoot: '/store',
    clock: new FakeClock(),
    random: randomBytes,
    pollMs: 1,
  });
  const runner = new JobRunner({ catalog, log });
  hv.failNext('freezeFilesystems', new VirtpointError('AGENT_UNAVAILABLE', 'guest agent is not connected'));
  const job = submitBackup({ catalog, runner, backup }, { uuid, name: 'db1' }, { domain: uuid });
  const done = await runner.wait(job.id);
  t.is(done.state, 'succeeded');
  t.true(rec.records.length >= 2, rec.records.map((r) => r.msg).join(' | '));
  t.true(rec.records.some((r) => r.msg.includes('freeze failed')));
  for (const r of rec.records) t.like(r.obj, { job: job.id, domain: uuid, domainName: 'db1' }, r.msg);
});
