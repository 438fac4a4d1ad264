/**
 * `virtpoint job delete ID` (DELETE /v1/jobs/{id}, 204) or `virtpoint job delete [--failed |
 * --canceled] [--before ISO]` (DELETE /v1/jobs?state=failed|canceled&before=ISO → `{"deleted":
 * N}`): the finished jobs in that state, that ended before that time (both: both hold). A queued
 * or running job is never deleted. `--json` prints `{"deleted": N}` for both forms.
 */

import type { Argv } from 'yargs';

import type { Bind, GlobalArgs, Run } from '../context.js';
import { printJson } from '../output.js';
import { checkIso, checkRef } from '../validate.js';

type Args = GlobalArgs & { id?: string; failed: boolean; canceled: boolean; before?: string };

function what(args: Args): string {
  const state = args.failed ? 'failed' : args.canceled ? 'canceled' : 'finished';
  return args.before === undefined ? `${state} job(s)` : `${state} job(s) that ended before ${args.before}`;
}

export const jobDelete: Run<Args> = async (args, ctx) => {
  let deleted: { deleted: number };
  if (args.id !== undefined) {
    await ctx.client.delete<undefined>(`/v1/jobs/${encodeURIComponent(args.id)}`);
    deleted = { deleted: 1 };
  } else {
    const state = args.failed ? 'failed' : args.canceled ? 'canceled' : undefined;
    deleted = await ctx.client.delete<{ deleted: number }>('/v1/jobs', { state, before: args.before });
  }
  if (ctx.json) printJson(ctx.io.stdout, deleted);
  else if (args.id !== undefined) ctx.io.stdout.write(`deleted job ${args.id}\n`);
  else ctx.io.stdout.write(`deleted ${deleted.deleted} ${what(args)}\n`);
  return 0;
};

export function registerJobDelete(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'delete [id]',
    "delete a finished job's record, or the finished ones --failed / --canceled / --before a time",
    (b) =>
      b
        .positional('id', { type: 'string', describe: 'job id', coerce: checkRef('job') })
        .option('failed', { type: 'boolean', default: false, describe: 'delete the failed jobs' })
        .option('canceled', { type: 'boolean', default: false, describe: 'delete the canceled jobs' })
        .option('before', {
          type: 'string',
          describe: 'delete the finished jobs that ended before this ISO 8601 time',
        })
        .check((a) => {
          const filters = a.failed || a.canceled || a.before !== undefined;
          if (a.id === undefined && !filters) {
            throw new Error('name a job id or pass --failed, --canceled or --before');
          }
          if (a.id !== undefined && filters) {
            throw new Error('pass either a job id or --failed/--canceled/--before, not both');
          }
          if (a.failed && a.canceled) throw new Error('pass either --failed or --canceled, not both');
          checkIso('--before', a.before);
          return true;
        }),
    bind<Args>(jobDelete),
  );
}
