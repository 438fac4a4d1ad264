import test from 'ava';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { MetricsApiImpl } from '../../../src/service/metrics/api.js';
import { BackupService } from '../../../src/service/backup/backup.js';
import { fakeBackupHost } from '../../fakes/backup-host.js';
import { promtool } from '../../helpers/promtool.js';

test('the alert rules in docs/metrics.md pass promtool check rules', async (t) => {
  const doc = await readFile(new URL('../../../docs/metrics.md', import.meta.url), 'utf8');
  const m = /<!-- rules:begin -->\n```yaml\n([\s\S]*?)```\n<!-- rules:end -->/.exec(doc);
  t.truthy(m, 'docs/metrics.md has a rules block between the markers');
  const dir = await mkdtemp(join(tmpdir(), 'vp-rules-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'virtpoint.rules.yml');
  await writeFile(file, m![1]!);
  const r = await promtool(['check', 'rules', file]);
  t.is(r.code, 0, r.out);
  t.regex(r.out, /SUCCESS: 8 rules found/);
});

/** The metrics text of a host with one backed-up domain (fake ports). */
async function exposition(host?: Parameters<typeof fakeBackupHost>[0]): Promise<string> {
  const h = fakeBackupHost(host);
  await new BackupService(h.deps).backup({ domain: h.uuid });
  const fs = {
    freeBytes: () => Promise.resolve(1),
    stat: () => Promise.resolve({ size: 1, mode: 0, uid: 0, gid: 0 }),
  };
  return new MetricsApiImpl(
    {
      catalog: h.catalog,
      fs,
      storeRoot: '/s',
      catalogPath: '/c',
      jobCounts: () => ({ queued: 0, running: 0 }),
      libvirtConnected: () => true,
    },
    '0',
  ).render();
}

test('every series the rules name is one the daemon exports', async (t) => {
  const doc = await readFile(new URL('../../../docs/metrics.md', import.meta.url), 'utf8');
  const rules = doc.slice(doc.indexOf('<!-- rules:begin -->'), doc.indexOf('<!-- rules:end -->'));
  const text = await exposition();
  const exported = new Set([...text.matchAll(/^# TYPE (\S+)/gm)].map((x) => x[1]));
  for (const name of new Set(rules.match(/virtpoint_[a-z_]+/g))) t.true(exported.has(name), name);
});

test('the exposition passes promtool check metrics (no lint problems)', async (t) => {
  const text = await exposition({ name: 'web "1"\\x' });
  const r = await promtool(['check', 'metrics'], text);
  t.is(r.code, 0, r.out);
  t.is(r.out.trim(), '', 'no lint findings');
});
