/** Human views of policies, tasks and task runs, and the flag helpers the policy/task commands share. */

import { parseTimes, parseWeekdays, validateSchedule } from '../core/schedule.js';
import type { PolicyView, ScheduleView, TaskRunView, TaskView } from '../contract/index.js';
import { UsageError } from './context.js';
import { hostTimeZone, humanTime, keyValues, orDash, table, type Column } from './output.js';

export function scheduleText(s: ScheduleView): string {
  return s.kind === 'weekly' ? `weekly ${s.days.join(',')}` : s.n === 1 ? 'every day' : `every ${s.n} days`;
}

const onOff = (enabled: boolean): string => (enabled ? 'yes' : 'no');

export const POLICY_COLUMNS: readonly Column<PolicyView>[] = [
  { header: 'NAME', value: (p) => p.name },
  { header: 'ENABLED', value: (p) => onOff(p.enabled) },
  { header: 'SCHEDULE', value: (p) => scheduleText(p.schedule) },
  { header: 'AT', value: (p) => p.schedule.times.join(',') },
  { header: 'TASKS', value: (p) => String(p.tasks.length), align: 'right' },
  { header: 'NEXT RUN', value: (p) => humanTime(p.nextRun) },
];

export function renderPolicy(p: PolicyView): string {
  return keyValues([
    ['name', p.name],
    ['enabled', onOff(p.enabled)],
    ['schedule', scheduleText(p.schedule)],
    ['at', `${p.schedule.times.join(', ')} (host local time, ${hostTimeZone()})`],
    ['tasks', p.tasks.length === 0 ? '-' : p.tasks.join(', ')],
    ['next run', humanTime(p.nextRun)],
    ['created', humanTime(p.createdAt)],
  ]);
}

export function resourceText(r: TaskView['resources'][number]): string {
  if (r.volume !== undefined) return `volume:${r.volume}`;
  return r.disks === null ? r.domainName : `${r.domainName}:${r.disks.join(',')}`;
}

export const TASK_COLUMNS: readonly Column<TaskView>[] = [
  { header: 'NAME', value: (t) => t.name },
  { header: 'ENABLED', value: (t) => onOff(t.enabled) },
  { header: 'RESOURCES', value: (t) => t.resources.map(resourceText).join(' ') },
  { header: 'POLICIES', value: (t) => t.policies.join(',') },
  { header: 'CHAIN', value: (t) => String(t.chainLength), align: 'right' },
  { header: 'RETAIN', value: (t) => t.retention },
  { header: 'RUNS', value: (t) => String(t.runCount), align: 'right' },
  {
    header: 'LAST RUN',
    value: (t) => (t.lastRun === null ? '-' : `${t.lastRun.outcome} ${humanTime(t.lastRun.startedAt)}`),
  },
];

/** `succeeded with 2 warnings: a; b`, or the outcome alone. */
export function outcomeText(r: { readonly outcome: string; readonly warnings: readonly string[] }): string {
  if (r.warnings.length === 0) return r.outcome;
  const n = r.warnings.length === 1 ? '1 warning' : `${r.warnings.length} warnings`;
  const what = r.outcome === 'succeeded-with-warnings' ? `succeeded with ${n}` : `${r.outcome} with ${n}`;
  return `${what}: ${r.warnings.join('; ')}`;
}

export function renderTask(t: TaskView): string {
  const pairs: [string, string][] = [
    ['name', t.name],
    ['enabled', onOff(t.enabled)],
    ['policies', t.policies.join(', ')],
    ['chain length', String(t.chainLength)],
    ['retention', t.retention],
    ['notify', t.receivers.length === 0 ? '-' : t.receivers.join(' ')],
    ['verify after', t.verifyAfter ? 'yes: each new point, right after its backup' : 'no'],
    ['copy to', t.copyTo.length === 0 ? '-' : `${t.copyTo.join(', ')} (each new point, after its backup)`],
    ['runs', String(t.runCount)],
    [
      'last run',
      t.lastRun === null
        ? '-'
        : `${outcomeText(t.lastRun)} (run ${t.lastRun.id} at ${humanTime(t.lastRun.startedAt)})`,
    ],
    ['created', humanTime(t.createdAt)],
  ];
  const resources = table(t.resources, [
    { header: 'RESOURCE', value: (r) => (r.volume === undefined ? r.domainName : `volume:${r.volume}`) },
    { header: 'UUID', value: (r) => r.domain },
    {
      header: 'DISKS',
      value: (r) => (r.volume !== undefined ? 'vol' : r.disks === null ? 'all' : r.disks.join(',')),
    },
  ]);
  return keyValues(pairs) + '\n' + resources;
}

const resourcesOk = (r: TaskRunView): string =>
  r.resources.length === 0
    ? '-'
    : `${r.resources.filter((x) => x.outcome === 'succeeded').length}/${r.resources.length}`;

export const RUN_COLUMNS: readonly Column<TaskRunView>[] = [
  { header: 'ID', value: (r) => r.id },
  { header: 'TASK', value: (r) => r.task },
  { header: 'TRIGGER', value: (r) => r.trigger },
  { header: 'POLICY', value: (r) => orDash(r.policy) },
  { header: 'STARTED', value: (r) => humanTime(r.startedAt) },
  { header: 'ENDED', value: (r) => humanTime(r.endedAt) },
  { header: 'OUTCOME', value: (r) => r.outcome },
  { header: 'OK', value: resourcesOk, align: 'right' },
  {
    header: 'ERRORS',
    value: (r) =>
      r.resources
        .filter((x) => x.error !== undefined)
        .map((x) => `${x.domainName}: ${x.error?.code ?? ''}`)
        .join('; '),
  },
  { header: 'WARNINGS', value: (r) => r.warnings.join('; ') },
];

/**
 * `--weekly mon,thu` / `--every-days N` / `--at 02:00,14:00` → a schedule, validated locally
 * (UsageError: exit 2). `base` fills what is not given (policy update).
 */
export function scheduleFromFlags(
  flags: { weekly?: string | undefined; everyDays?: number | undefined; at?: string | undefined },
  base?: ScheduleView,
): ScheduleView {
  if (flags.weekly !== undefined && flags.everyDays !== undefined) {
    throw new UsageError('pass either --weekly or --every-days, not both');
  }
  const times = flags.at !== undefined ? parseTimes(flags.at) : base?.times;
  if (times === undefined) throw new UsageError('--at is required (e.g. --at 02:00 or --at 02:00,14:00)');
  let s: unknown;
  if (flags.weekly !== undefined) s = { kind: 'weekly', days: parseWeekdays(flags.weekly), times };
  else if (flags.everyDays !== undefined) s = { kind: 'every-days', n: flags.everyDays, times };
  else if (base !== undefined) s = { ...base, times };
  else throw new UsageError('pass --weekly DAYS (e.g. mon,thu) or --every-days N');
  try {
    return validateSchedule(s);
  } catch (e) {
    throw new UsageError((e as Error).message, { cause: e });
  }
}
