/** `virtpoint job list [--type T] [--state S] [--trigger R] [--domain D] [--since W] [--until ISO] [--limit N]`. */

import type { Argv } from 'yargs';

import {
  JOB_STATES,
  JOB_TYPES,
  TRIGGERS,
  type JobState,
  type JobType,
  type Trigger,
} from '../../core/job-state.js';
import { LIMIT_MAX } from '../../core/limits.js';
import type { JobView } from '../../contract/index.js';
import type { Bind, GlobalArgs, Run } from '../context.js';
import { printJson, tableOrHint } from '../output.js';
import { JOB_COLUMNS } from '../render.js';
import { checkInt, checkIso, checkSince } from '../validate.js';

type Args = GlobalArgs & {
  type?: JobType;
  state?: JobState;
  trigger?: Trigger;
  domain?: string;
  since?: string;
  until?: string;
  limit?: number;
};

export const jobList: Run<Args> = async (args, ctx) => {
  const jobs = await ctx.client.get<JobView[]>('/v1/jobs', {
    type: args.type,
    state: args.state,
    trigger: args.trigger,
    domain: args.domain,
    since: args.since,
    until: args.until,
    limit: args.limit,
  });
  if (ctx.json) printJson(ctx.io.stdout, jobs);
  else
    ctx.io.stdout.write(
      tableOrHint(
        jobs,
        JOB_COLUMNS,
        'no jobs (filters narrow the list; finished jobs are kept job_retention_days)',
      ),
    );
  return 0;
};

export function registerJobList(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'list',
    'list jobs, newest first',
    (b) =>
      b
        .option('type', { choices: JOB_TYPES, describe: 'job type' })
        .option('state', { choices: JOB_STATES, describe: 'job state' })
        .option('trigger', { choices: TRIGGERS, describe: 'what started the job' })
        .option('domain', { type: 'string', describe: 'domain name or UUID' })
        .option('since', { type: 'string', describe: '24h, 7d, 30d or an ISO 8601 time' })
        .option('until', { type: 'string', describe: 'ISO 8601 time (exclusive)' })
        .option('limit', { type: 'number', describe: 'at most this many jobs' })
        .check((a) => {
          checkSince(a.since);
          checkIso('--until', a.until);
          checkInt('--limit', a.limit, 1, LIMIT_MAX); // the API's bound: no request it would refuse
          return true;
        }),
    bind<Args>(jobList),
  );
}
