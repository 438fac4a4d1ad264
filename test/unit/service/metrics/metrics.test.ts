import test from 'ava';

import { MetricsApiImpl } from '../../../../src/service/metrics/api.js';
import type { MetricsSources } from '../../../../src/service/metrics/snapshot.js';
import { BackupService } from '../../../../src/service/backup/backup.js';
import { fakeBackupHost } from '../../../fakes/backup-host.js';

const NOW = Date.parse('2026-12-01T12:00:00Z');

function metricsOver(h: ReturnType<typeof fakeBackupHost>, patch: Partial<MetricsSources> = {}) {
  const sources: MetricsSources = {
    catalog: h.catalog,
    fs: { freeBytes: () => Promise.resolve(5_000_000_000), stat: () => Promise.reject(new Error('ENOENT')) },
    storeRoot: '/store',
    catalogPath: '/state/catalog.db',
    jobCounts: () => ({ queued: 3, running: 1 }),
    libvirtConnected: () => true,
    ...patch,
  };
  return new MetricsApiImpl(sources, '9.9.9', () => NOW);
}

/** The value of one series (`name{labels}`), or undefined when absent. */
function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

test('per domain: points, chains, bytes, newest point, last backup, freeze and consistency', async (t) => {
  const h = fakeBackupHost({ name: 'web1' });
  const p = await new BackupService(h.deps).backup({ domain: h.uuid });
  const text = await metricsOver(h).render();
  const l = `{domain="${h.uuid}",domain_name="web1"}`;
  t.is(value(text, `virtpoint_domain_chains${l}`), 1);
  t.is(value(text, `virtpoint_domain_points{domain="${h.uuid}",domain_name="web1",state="available"}`), 1);
  const bytes = p.disks.reduce((s, d) => s + (d.size ?? 0), 0);
  t.is(value(text, `virtpoint_domain_stored_bytes${l}`), bytes);
  t.is(value(text, `virtpoint_domain_newest_available_point_timestamp_seconds${l}`), p.createdAt / 1000);
  t.is(
    value(text, `virtpoint_domain_newest_point_filesystem_consistent${l}`),
    p.consistency === 'filesystem' ? 1 : 0,
  );
  t.is(value(text, `virtpoint_jobs{state="queued"}`), 3);
  t.is(value(text, `virtpoint_jobs{state="running"}`), 1);
  t.is(value(text, 'virtpoint_libvirt_connected'), 1);
  t.is(value(text, 'virtpoint_store_free_bytes{path="/store"}'), 5_000_000_000);
  t.is(
    value(text, 'virtpoint_catalog_bytes{path="/state/catalog.db"}'),
    undefined,
    'an unreadable catalog size is left out, not 0',
  );
  t.is(value(text, 'virtpoint_build_info{version="9.9.9"}'), 1);
  t.is(value(text, 'virtpoint_points_verify{state="never"}'), 1);
  t.false(text.includes('virtpoint_copy_outcomes{'), 'no copy series until copies exist');
});

test('last backup outcome and duration come from the newest finished backup job of the domain', async (t) => {
  const h = fakeBackupHost({ name: 'db1' });
  h.catalog.upsertDomain({ uuid: h.uuid, name: 'db1' });
  const ok = h.catalog.jobs.create({ type: 'backup', trigger: 'manual', domainUuid: h.uuid });
  h.catalog.jobs.start(ok.id);
  h.catalog.jobs.finish(ok.id, { state: 'succeeded' });
  const bad = h.catalog.jobs.create({ type: 'backup', trigger: 'schedule', domainUuid: h.uuid });
  h.catalog.jobs.start(bad.id);
  const ended = h.catalog.jobs.finish(bad.id, {
    state: 'failed',
    error: { code: 'FREEZE_TIMEOUT', message: 'x' },
  });
  const text = await metricsOver(h).render();
  const l = `{domain="${h.uuid}",domain_name="db1"}`;
  t.is(value(text, `virtpoint_domain_last_backup_success${l}`), 0);
  t.is(value(text, `virtpoint_domain_last_backup_end_timestamp_seconds${l}`), (ended.endedAt ?? 0) / 1000);
  t.is(
    value(text, `virtpoint_domain_last_backup_duration_seconds${l}`),
    ((ended.endedAt ?? 0) - (ended.startedAt ?? 0)) / 1000,
  );
  t.is(
    value(text, `virtpoint_domain_newest_available_point_timestamp_seconds${l}`),
    undefined,
    'no point: no series',
  );
});

test('libvirt down, copies hook, catalog size with its WAL, and series of a gone domain disappear', async (t) => {
  const h = fakeBackupHost({ name: 'web1' });
  await new BackupService(h.deps).backup({ domain: h.uuid });
  let connected = false;
  const m = metricsOver(h, {
    libvirtConnected: () => connected,
    copies: { outcomes: () => [{ target: 's3-eu', state: 'failed', count: 2 }] },
    fs: {
      freeBytes: () => Promise.reject(new Error('EACCES')),
      stat: (p) => Promise.resolve({ size: p.endsWith('-wal') ? 100 : 4096, mode: 0o600, uid: 0, gid: 0 }),
    },
  });
  let text = await m.render();
  t.is(value(text, 'virtpoint_libvirt_connected'), 0);
  t.is(value(text, 'virtpoint_copy_outcomes{target="s3-eu",state="failed"}'), 2);
  t.is(value(text, 'virtpoint_catalog_bytes{path="/state/catalog.db"}'), 4196);
  t.is(value(text, 'virtpoint_store_free_bytes{path="/store"}'), undefined);
  connected = true;
  for (const c of h.catalog.listChains()) h.catalog.deleteChain(c.id);
  text = await m.render();
  t.is(value(text, 'virtpoint_libvirt_connected'), 1, 'read at scrape time');
  t.false(text.includes('virtpoint_domain_points{'), 'no point left: no point series');
  t.is(value(text, `virtpoint_domain_chains{domain="${h.uuid}",domain_name="web1"}`), 0);
});

test('per task: runs, failed runs, last run outcome; concurrent scrapes both see complete output', async (t) => {
  const h = fakeBackupHost();
  const s = h.catalog.scheduling;
  const policy = s.createPolicy({
    name: 'nightly',
    schedule: { kind: 'weekly', days: [1], times: ['02:00'] },
    enabled: true,
  } as never);
  const task = s.createTask({
    name: 'web',
    resources: [{ domainUuid: h.uuid, disks: null }] as never,
    policyIds: [policy.id],
    chainLength: 7,
    retention: { kind: 'forever' } as never,
    receivers: [],
    enabled: true,
  });
  s.createTaskRun({ taskId: task.id, trigger: 'manual', outcome: 'failed', startedAt: NOW - 60_000 });
  s.createTaskRun({ taskId: task.id, trigger: 'schedule', outcome: 'succeeded', startedAt: NOW });
  const m = metricsOver(h);
  const [a, b] = await Promise.all([m.render(), m.render()]);
  for (const text of [a, b]) {
    t.is(value(text, 'virtpoint_task_runs{task="web"}'), 2);
    t.is(value(text, 'virtpoint_task_failed_runs{task="web"}'), 1);
    t.is(value(text, 'virtpoint_task_last_run_outcome{task="web",outcome="succeeded"}'), 1);
    t.is(value(text, 'virtpoint_task_last_run_timestamp_seconds{task="web"}'), NOW / 1000);
    t.is(value(text, 'virtpoint_task_enabled{task="web"}'), 1);
  }
});
