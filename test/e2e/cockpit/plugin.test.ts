/// <reference lib="dom" />
// (page.evaluate callbacks below run in the browser: DOM types for them.)
import { join } from 'node:path';
import anyTest, { type ExecutionContext, type TestFn } from 'ava';
import Database from 'better-sqlite3';
import type { JobView, PointView } from '../../../src/contract/index.js';
import { startCockpit, type TestCockpit } from '../../helpers/cockpit.js';
import { withDaemon, type TestDaemon } from '../../helpers/daemon.js';
import { createTestVm, type TestVm } from '../../helpers/test-vm.js';

// The Cockpit plugin in a real browser (Debian's chromium through puppeteer-core), served by a
// real cockpit-ws + cockpit-bridge, talking to a real virtpointd about ONE real VM shared by
// every case (they run in order: each builds on the points the one before made). Screenshots of
// each page go to test-artifacts/cockpit/ (git-ignored; CI keeps them as artifacts).

interface Shared {
  vm: TestVm;
  d: TestDaemon;
  c: TestCockpit;
}
// What one case leaves for the next (ava gives each test its own copy of t.context).
const made = {
  /** sha256 of /mnt/vda/a.bin at the first point (the rollback goes back to it). */
  sha1: '',
  p1: '',
};
const test = anyTest as TestFn<Shared>;
const cleanups: (() => Promise<void> | void)[] = [];

test.before(async (t) => {
  const vm = await createTestVm({ label: 'cockpit', disks: [{ sizeMiB: 64 }] });
  cleanups.push(() => vm.remove());
  // withDaemon stops its daemon in teardown: here that is the end of the whole file.
  const holder = {
    teardown: (f: () => Promise<void> | void) => cleanups.push(f),
  } as unknown as ExecutionContext;
  const d = await withDaemon(holder);
  const c = await startCockpit(d.socket);
  cleanups.push(() => c.close());
  t.context = { vm, d, c };
});

test.after.always(async () => {
  for (const f of cleanups.reverse()) await f();
});

const text = (c: TestCockpit, sel: string) => c.page.$eval(sel, (e) => (e as HTMLElement).innerText);

test.serial('the overview lists the VM with its state and agent', async (t) => {
  const { c, vm } = t.context;
  await c.open('overview');
  const row = await c.page.$$eval('table[aria-label="Domains"] tbody tr', (rows) =>
    rows.map((r) => (r as HTMLElement).innerText),
  );
  const mine = row.find((r) => r.includes(vm.name));
  t.truthy(mine, `the overview lists ${vm.name}: ${row.join(' | ')}`);
  t.regex(mine ?? '', /running/);
  t.regex(mine ?? '', /agent channel/);
  await c.screenshot('overview');
});

test.serial('"Back up now" shows the live progress, then the new point', async (t) => {
  const { c, vm, d } = t.context;
  made.sha1 = await vm.agent.writeSeededFile('/mnt/vda/a.bin', 'cockpit-a1', 512 * 1024);
  await c.open('overview');
  await c.page.click(`button[aria-label="Back up ${vm.name} now"]`);
  await c.page.waitForSelector('dialog[open] [data-action="start-backup"]');
  // Every text the progress line shows, recorded as it changes.
  await c.page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { seen: string[] }).seen = seen;
    new MutationObserver(() => {
      const el = document.querySelector('dialog .vp-progress-text');
      const s = el?.textContent ?? '';
      if (s && seen[seen.length - 1] !== s) seen.push(s);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await c.page.type('dialog[open] input[name="name"]', 'from-cockpit');
  await c.page.click('dialog[open] [data-action="start-backup"]');
  await c.page.waitForSelector('dialog[open] .vp-new-point', { timeout: 180_000 });
  await c.screenshot('backup-dialog');
  const seen = await c.page.evaluate(() => (window as unknown as { seen: string[] }).seen);
  t.true(seen.length >= 2, `progress changed while the job ran: ${seen.join(' → ')}`);
  t.regex(seen[0] ?? '', /^(queued|running) /, 'the first line is the job before it ended');
  t.is(seen[seen.length - 1], 'succeeded 100%');
  const shown = await text(c, 'dialog[open] .vp-new-point');
  t.regex(shown, /New point from-cockpit \([0-9a-f]{12}\): full, available/);
  const points = await d.json<PointView[]>(['point', 'list', '--domain', vm.name]);
  t.is(points.length, 1);
  t.is(points[0]?.name, 'from-cockpit');
  t.true(shown.includes(points[0]?.id ?? '-'), 'the dialog names the point the API has');
  made.p1 = points[0]?.id ?? '';
  await c.page.click('dialog[open] [data-action="close"]');
});

test.serial('the points page draws the chain of 3: full → incremental → incremental', async (t) => {
  const { c, vm, d } = t.context;
  await vm.agent.writeSeededFile('/mnt/vda/a.bin', 'cockpit-a2', 512 * 1024);
  await d.json<PointView>(['backup', vm.name]);
  await vm.agent.writeSeededFile('/mnt/vda/a.bin', 'cockpit-a3', 512 * 1024);
  const p3 = await d.json<PointView>(['backup', vm.name]);
  t.is(p3.seq, 2);
  await c.open(`points/${encodeURIComponent(vm.name)}`);
  const chain = `[data-chain="${p3.chainId}"]`;
  const seqs = await c.page.$$eval(`${chain} .vp-point`, (els) =>
    els.map((e) => (e as HTMLElement).dataset['seq']),
  );
  t.deepEqual(seqs, ['0', '1', '2'], 'full first, then the incrementals in order');
  t.is((await c.page.$$(`${chain} .vp-arrow`)).length, 2);
  const heads = await c.page.$$eval(`${chain} .vp-point h3`, (els) =>
    els.map((e) => (e as HTMLElement).innerText),
  );
  t.regex(heads[0] ?? '', /^Full: from-cockpit/);
  t.regex(heads[2] ?? '', /^Incremental 2: manualbk_/);
  const facts = await text(c, `${chain} .vp-point[data-seq="0"] .vp-point-facts`);
  t.regex(facts, /available/);
  t.regex(facts, /filesystem/, 'frozen through the agent');
  t.regex(facts, /\d+ ms/, 'the freeze window');
  await c.screenshot('points');
});

test.serial('a rollback from the page restores the guest bytes of the first point', async (t) => {
  const { c, vm, d } = t.context;
  const { p1, sha1 } = made;
  await c.open(`points/${encodeURIComponent(vm.name)}`);
  await c.page.click(`.vp-point[data-point="${p1}"] [data-action="rollback"]`);
  await c.page.waitForSelector('dialog[open] .vp-lost');
  const lost = await text(c, 'dialog[open] .vp-lost');
  t.regex(lost, /What will be lost: everything written to the chosen disks/);
  t.regex(lost, /its 2 later point\(s\)/, 'names the later points that stop being continued');
  t.is(
    await c.page.$eval('dialog[open] select[name="map-vda"]', (e) => (e as HTMLSelectElement).value),
    'vda',
  );
  t.true(
    await c.page.$eval('dialog[open] .vp-check input', (e) => (e as HTMLInputElement).checked),
    'start after: was running',
  );
  // The test guest ignores ACPI: the agent is asked after half the timeout.
  await c.page.$eval(
    'dialog[open] input[name="shutdownTimeout"]',
    (e) => ((e as HTMLInputElement).value = ''),
  );
  await c.page.type('dialog[open] input[name="shutdownTimeout"]', '20');
  await c.screenshot('rollback-dialog');
  await c.page.click('dialog[open] [data-action="confirm"]');
  await c.page.waitForSelector('dialog[open] .vp-done', { timeout: 240_000 });
  t.regex(await text(c, 'dialog[open] .vp-done'), /Rolled back: vda→vda; the domain was started/);
  await vm.agent.waitReady(120_000);
  t.is(await vm.agent.sha256File('/mnt/vda/a.bin'), sha1, 'a.bin has the bytes of the first point');
  const jobs = await d.json<JobView[]>(['job', 'list', '--type', 'rollback']);
  t.like(jobs[0], { state: 'succeeded', pointId: p1 });
});

test.serial(
  "a policy with two times 30 min apart shows the API's error next to the times field",
  async (t) => {
    const { c, d } = t.context;
    await c.open('policies');
    const form = 'form[aria-label="New policy"]';
    await c.page.type(`${form} input[name="name"]`, 'too-close');
    await c.page.click(`${form} .vp-check input[value="mon"]`);
    await c.page.type(`${form} input[name="times"]`, '02:00, 02:30');
    await c.page.click(`${form} [data-action="create-policy"]`);
    const err = `${form} [data-field="schedule.times"] .vp-field-error`;
    await c.page.waitForFunction((s) => (document.querySelector(s)?.textContent ?? '') !== '', {}, err);
    t.is(await text(c, err), 'schedule.times: 02:00 and 02:30 are less than 1 hour apart (INVALID_ARGUMENT)');
    t.is(
      await c.page.$eval(`${form} input[name="times"]`, (e) => e.getAttribute('aria-invalid')),
      'true',
      'the field is marked invalid',
    );
    t.deepEqual(await d.json(['policy', 'list']), [], 'nothing created');
    await c.screenshot('policy-error');
    // The same form creates it once the times are apart.
    await c.page.$eval(`${form} input[name="times"]`, (e) => ((e as HTMLInputElement).value = ''));
    await c.page.type(`${form} input[name="times"]`, '02:00, 14:00');
    await c.page.click(`${form} [data-action="create-policy"]`);
    await c.page.waitForSelector('table[aria-label="Policies"]');
    t.regex(await text(c, 'table[aria-label="Policies"]'), /too-close\s+weekly mon at 02:00, 14:00/);
    await c.screenshot('policies');
  },
);

test.serial('the jobs filter "24 h" hides a job made 3 days ago', async (t) => {
  const { c, d } = t.context;
  // A seeded catalog row: a failed verify job made and ended 3 days ago.
  const old = Date.now() - 3 * 86_400_000;
  const db = new Database(join(d.stateDir, 'catalog.db'));
  try {
    db.prepare(
      `INSERT INTO jobs (id, type, state, trigger, created_at, started_at, ended_at, error_code, error_message)
       VALUES ('0ld0ld0ld0ld', 'verify', 'failed', 'manual', ?, ?, ?, 'INTERNAL', 'seeded: an old failure')`,
    ).run(old, old, old + 1000);
  } finally {
    db.close();
  }
  const all = await d.json<JobView[]>(['job', 'list']);
  t.truthy(
    all.find((j) => j.id === '0ld0ld0ld0ld'),
    'the seeded job is in the catalog',
  );

  await c.open('jobs?window=');
  t.truthy(await c.page.$('[aria-label="Delete job 0ld0ld0ld0ld"]'), '"All" shows the old job');
  t.regex(
    await text(c, 'table[aria-label="Jobs"]'),
    /seeded: an old failure \(INTERNAL\)/,
    'with its reason',
  );
  await c.page.select('select[name="window"]', '24h');
  await c.page.waitForFunction(() => location.hash.includes('window=24h'));
  await c.ready('jobs');
  const shown = await text(c, 'table[aria-label="Jobs"]');
  t.false(shown.includes('0ld0ld0ld0ld'), '24 h hides it');
  t.regex(shown, /backup/, 'and shows the backups of today');
  t.regex(shown, /rollback/);
  await c.screenshot('jobs');
});

test.serial('every action is reachable with Tab, and every input has a label', async (t) => {
  const { c, vm } = t.context;
  const reached = async (): Promise<string[]> => {
    const out: string[] = [];
    for (let i = 0; i < 120; i++) {
      await c.page.keyboard.press('Tab');
      out.push(
        await c.page.evaluate(() => {
          const e = document.activeElement as HTMLElement | null;
          return e
            ? (e.getAttribute('aria-label') ?? e.getAttribute('data-action') ?? e.textContent ?? '')
            : '';
        }),
      );
    }
    return out;
  };
  const unlabelled = () =>
    c.page.$$eval('input, select', (els) =>
      els
        .filter((e) => {
          const id = e.id;
          const byFor = id !== '' && document.querySelector(`label[for="${id}"]`) !== null;
          return !byFor && e.closest('label') === null && !e.getAttribute('aria-label');
        })
        .map((e) => e.outerHTML),
    );

  await c.open('overview');
  t.true((await reached()).includes(`Back up ${vm.name} now`));
  t.deepEqual(await unlabelled(), []);

  await c.open(`points/${encodeURIComponent(vm.name)}`);
  const onPoints = await reached();
  const point = (await c.page.$eval('.vp-point[data-seq="0"] h3', (e) => (e as HTMLElement).innerText)).split(
    ': ',
  )[1];
  for (const a of ['Roll back', 'Create volume', 'Create image', 'Verify', 'Mount', 'Delete']) {
    t.true(
      onPoints.some((x) => x.startsWith(`${a} `)),
      `Tab reaches "${a}" (${point})`,
    );
  }
  await c.page.click('.vp-point [data-action="delete"]');
  await c.page.waitForSelector('dialog[open] .vp-delete-explain');
  t.regex(
    await text(c, 'dialog[open] .vp-delete-explain'),
    /full point: deleting it deletes the whole chain/,
  );
  t.deepEqual(await unlabelled(), []);
  await c.page.keyboard.press('Escape');

  await c.open('jobs');
  const onJobs = await reached();
  t.true(onJobs.includes('delete-failed'), 'Delete all failed jobs');
  t.deepEqual(await unlabelled(), []);

  await c.open('policies');
  const onPolicies = await reached();
  for (const a of [
    'Edit too-close',
    'Disable too-close',
    'Run now too-close',
    'Delete too-close',
    'create-policy',
    'create-task',
  ]) {
    t.true(onPolicies.includes(a), `Tab reaches ${a}`);
  }
  t.deepEqual(await unlabelled(), []);

  await c.open('storage');
  t.regex(
    await c.page.$eval('svg.vp-chart', (e) => e.getAttribute('aria-label') ?? ''),
    /Bytes in the store/,
  );
  t.is((await c.page.$$('svg.vp-chart path[data-domain]')).length, 1, 'one line: one domain');
  await c.screenshot('storage');
});
