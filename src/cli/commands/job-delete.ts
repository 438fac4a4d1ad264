/**
 * `virtpoint job delete ID` (DELETE /v1/jobs/{id}, 204) or `virtpoint job delete --failed`
 * (DELETE /v1/jobs?state=failed → `{"deleted": N}`). `--json` prints `{"deleted": N}` for both.
 */

import type { Argv } from 'yargs';

import type { Bind, GlobalArgs, Run } from '../context.js';
import { printJson } from '../output.js';

type Args = GlobalArgs & { id?: string; failed: boolean };

export const jobDelete: Run<Args> = async (args, ctx) => {
  let deleted: { deleted: number };
  if (args.id !== undefined) {
    await ctx.client.delete<undefined>(`/v1/jobs/${encodeURIComponent(args.id)}`);
    deleted = { deleted: 1 };
  } else {
    deleted = await ctx.client.delete<{ deleted: number }>('/v1/jobs', { state: 'failed' });
  }
  if (ctx.json) printJson(ctx.io.stdout, deleted);
  else if (args.id !== undefined) ctx.io.stdout.write(`deleted job ${args.id}\n`);
  else ctx.io.stdout.write(`deleted ${deleted.deleted} failed job(s)\n`);
  return 0;
};

export function registerJobDelete(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'delete [id]',
    "delete a finished job's record, or every failed one with --failed",
    (b) =>
      b
        .positional('id', { type: 'string', describe: 'job id' })
        .option('failed', { type: 'boolean', default: false, describe: 'delete every failed job' })
        .check((a) => {
          if (a.id === undefined && !a.failed) throw new Error('name a job id or pass --failed');
          if (a.id !== undefined && a.failed) throw new Error('pass either a job id or --failed, not both');
          return true;
        }),
    bind<Args>(jobDelete),
  );
}
