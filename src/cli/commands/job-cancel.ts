/**
 * `virtpoint job cancel ID [--no-wait]` (POST /v1/jobs/{id}/cancel): a queued job is canceled, a
 * running one aborted; the command waits until the job has really ended (its cleanup done) and
 * prints its final state — `canceled`, or `succeeded`/`failed` when it ended first.
 */

import type { Argv } from 'yargs';

import { isJobFinal } from '../../core/job-state.js';
import type { JobView } from '../../contract/index.js';
import type { Bind, GlobalArgs, Run } from '../context.js';
import { checkRef } from '../validate.js';
import { printJson } from '../output.js';
import { renderJob } from '../render.js';
import { followJob } from '../wait.js';

type Args = GlobalArgs & { id: string; wait: boolean };

export const jobCancel: Run<Args> = async (args, ctx) => {
  const asked = await ctx.client.post<JobView>(`/v1/jobs/${encodeURIComponent(args.id)}/cancel`);
  const job = args.wait && !isJobFinal(asked.state) ? await followJob(ctx, asked.id) : asked;
  if (ctx.json) printJson(ctx.io.stdout, job);
  else ctx.io.stdout.write(renderJob(job));
  return 0;
};

export function registerJobCancel(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'cancel <id>',
    'cancel a queued or running job and wait until it has ended',
    (b) =>
      b
        .positional('id', { type: 'string', demandOption: true, describe: 'job id', coerce: checkRef('job') })
        .option('wait', {
          type: 'boolean',
          default: true,
          describe: 'wait for the final state (--no-wait: return once asked)',
        }),
    bind<Args>(jobCancel),
  );
}
