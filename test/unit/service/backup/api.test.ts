import test from 'ava';
import { silentLogger } from '../../../../src/ports/logger.js';
import { BackupApiImpl } from '../../../../src/service/backup/api.js';
import { BackupService } from '../../../../src/service/backup/backup.js';
import { JobRunner } from '../../../../src/service/jobs/runner.js';
import { fakeBackupHost } from '../../../fakes/backup-host.js';

// The backup API: checkBackup runs once at submit (bad input throws, nothing queued, no domain
// record made); a good request is one queued backup job whose point lands in the catalog.

function setup() {
  const { hv, catalog, deps, uuid } = fakeBackupHost({ name: 'web', source: '/images/web.qcow2' });
  const backup = new BackupService(deps);
  const runner = new JobRunner({ catalog, log: silentLogger });
  const api = new BackupApiImpl({ catalog, runner, backup });
  return { hv, catalog, runner, api, uuid };
}

test('bad input is refused at submit: nothing queued, no domain record', async (t) => {
  const s = setup();
  const refusals: [Parameters<typeof s.api.startBackup>[0], string][] = [
    [{ domain: 'nope' }, 'DOMAIN_NOT_FOUND'],
    [{ domain: 'web', disks: ['vdz'] }, 'DISK_NOT_FOUND'],
    [{ domain: 'web', disks: [] }, 'INVALID_ARGUMENT'],
    [{ domain: 'web', chainLength: 31 }, 'INVALID_ARGUMENT'],
    [{ domain: 'web', chainLength: 0 }, 'INVALID_ARGUMENT'],
    [{ domain: 'web', quiesce: 'sometimes' as 'auto' }, 'INVALID_ARGUMENT'],
    [{ domain: 'web', name: 'a b' }, 'INVALID_ARGUMENT'],
  ];
  for (const [input, code] of refusals) {
    await t.throwsAsync(s.api.startBackup(input), { code }, JSON.stringify(input));
  }
  t.is(s.catalog.jobs.list({}).length, 0, 'nothing queued');
  t.is(s.catalog.getDomain(s.uuid), null, 'no domain record');
});

test('a good request: one backup job of the domain; a second point of the same name is refused at submit', async (t) => {
  const s = setup();
  const job = await s.api.startBackup({ domain: 'web', name: 'first' });
  t.like(job, { type: 'backup', trigger: 'manual', domain: s.uuid, state: 'queued' });
  const ended = await s.runner.wait(job.id);
  t.is(ended.state, 'succeeded');
  const point = s.catalog.getPointByName(s.uuid, 'first');
  t.is(point?.state, 'available');
  t.is(ended.pointId, point?.id ?? null);
  await t.throwsAsync(s.api.startBackup({ domain: s.uuid, name: 'first' }), { code: 'ALREADY_EXISTS' });
  t.is(s.catalog.jobs.list({}).length, 1);
});

test('a backup through the API is manual: an owner smuggled into the input is ignored', async (t) => {
  const s = setup();
  const input = { domain: 'web', owner: { taskId: 'aaaaaaaaaaaa', name: 'evil' } };
  const ended = await s.runner.wait((await s.api.startBackup(input)).id);
  const point = s.catalog.getPoint(ended.pointId!)!;
  t.is(s.catalog.getChain(point.chainId)?.ownerTaskId, null);
  t.regex(point.name, /^manualbk_/);
});
