import test from 'ava';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULTS, imageDir, loadConfig, parseConfig } from '../../../src/daemon/config.js';

test('parses key = value lines with comments and quotes', (t) => {
  const c = parseConfig(
    [
      '# virtpoint',
      'state_dir = /srv/vp',
      'socket = "/run/vp/api.sock"   # quoted',
      '',
      'job_concurrency=4',
      'freeze_timeout_seconds = 15',
      'log_level = debug',
      'socket_group = backup-ops',
      'job_retention_days = 30',
      'verify_schedule = 04:15',
      'verify_max_age_days = 14',
      'verify_budget_minutes = 90',
    ].join('\n'),
    'f.conf',
  );
  t.deepEqual(c, {
    stateDir: '/srv/vp',
    socket: '/run/vp/api.sock',
    jobConcurrency: 4,
    freezeTimeoutMs: 15_000,
    logLevel: 'debug',
    socketGroup: 'backup-ops',
    jobRetentionDays: 30,
    verifySchedule: '04:15',
    verifyMaxAgeDays: 14,
    verifyBudgetMinutes: 90,
  });
  t.deepEqual(parseConfig('verify_schedule = off', 'f.conf'), { verifySchedule: null });
  t.is(DEFAULTS.verifySchedule, '03:00');
});

test('bad lines name the file and line', (t) => {
  const bad: [string, RegExp][] = [
    ['stat_dir = /x', /f.conf:1: unknown setting 'stat_dir'/],
    ['state_dir = relative/x', /f.conf:1: state_dir must be an absolute path/],
    ['\njob_concurrency = 0', /f.conf:2: job_concurrency must be an integer from 1 to 16/],
    ['job_concurrency = 2.5', /integer/],
    ['freeze_timeout_seconds = -1', /integer/],
    ['log_level = loud', /must be one of/],
    ['socket_group = a b', /group name/],
    ['job_retention_days = -3', /job_retention_days must be an integer from 0 to 36500/],
    ['verify_schedule = 3am', /verify_schedule must be HH:MM \(local time\) or 'off'/],
    ['verify_schedule = 24:00', /HH:MM/],
    ['verify_max_age_days = 0', /verify_max_age_days must be an integer from 1 to 3650/],
    ['verify_budget_minutes = 0', /verify_budget_minutes must be an integer from 1 to 1440/],
    ['just words', /expected 'key = value'/],
  ];
  for (const [text, re] of bad) t.throws(() => parseConfig(text, 'f.conf'), { message: re }, text);
});

test('defaults, then the file, then the flags; a named file must exist, the default one may not', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'vp-conf-'));
  const file = join(dir, 'virtpoint.conf');
  await writeFile(file, 'socket = /run/a.sock\njob_concurrency = 3\n');
  const c = await loadConfig({ config: file, socket: '/run/b.sock' });
  t.is(c.socket, '/run/b.sock');
  t.is(c.jobConcurrency, 3);
  t.is(c.stateDir, DEFAULTS.stateDir);
  await t.throwsAsync(loadConfig({ config: join(dir, 'missing.conf') }), { message: /does not exist/ });
  await t.throwsAsync(loadConfig({ config: file, stateDir: 'rel' }), {
    message: /--state-dir must be an absolute path/,
  });
});

test('allowed_volume_dirs (comma-separated absolute paths) and image_dir (default <state_dir>/images)', (t) => {
  t.deepEqual(parseConfig('allowed_volume_dirs = /srv/a, /srv/b\nimage_dir = /srv/img\n', 'f'), {
    allowedVolumeDirs: ['/srv/a', '/srv/b'],
    imageDir: '/srv/img',
  });
  t.deepEqual(parseConfig('allowed_volume_dirs =\n', 'f'), { allowedVolumeDirs: [] });
  t.throws(() => parseConfig('allowed_volume_dirs = /srv/a,rel\n', 'f.conf'), {
    message: /f\.conf:1: allowed_volume_dirs must be absolute paths/,
  });
  t.throws(() => parseConfig('image_dir = images\n', 'f'), { message: /image_dir must be an absolute path/ });
  t.deepEqual(DEFAULTS.allowedVolumeDirs, []);
  t.is(imageDir({ ...DEFAULTS, stateDir: '/srv/vp' }), '/srv/vp/images');
  t.is(imageDir({ ...DEFAULTS, imageDir: '/img' }), '/img');
});
