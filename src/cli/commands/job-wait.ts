/** `virtpoint job wait ID` (alias `job follow ID`): follows the job with progress; exit 1 if it ends failed or canceled. */

import type { Argv } from 'yargs';

import type { Bind, GlobalArgs, Run } from '../context.js';
import { checkRef } from '../validate.js';
import { printJson } from '../output.js';
import { renderJob } from '../render.js';
import { followJob, jobFailure } from '../wait.js';

type Args = GlobalArgs & { id: string };

export const jobWait: Run<Args> = async (args, ctx) => {
  const job = await followJob(ctx, args.id);
  if (ctx.json) printJson(ctx.io.stdout, job);
  else ctx.io.stdout.write(renderJob(job));
  if (job.state !== 'succeeded') throw jobFailure(job);
  return 0;
};

export function registerJobWait(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    ['wait <id>', 'follow <id>'],
    'wait for a job to end, with progress (exit 1 if it failed or was canceled)',
    (b) =>
      b.positional('id', { type: 'string', demandOption: true, describe: 'job id', coerce: checkRef('job') }),
    bind<Args>(jobWait),
  );
}
