/** `virtpoint job cancel ID` (POST /v1/jobs/{id}/cancel): a queued job is canceled, a running one aborted. */

import type { Argv } from 'yargs';

import type { JobView } from '../../contract/index.js';
import type { Bind, GlobalArgs, Run } from '../context.js';
import { printJson } from '../output.js';
import { renderJob } from '../render.js';

type Args = GlobalArgs & { id: string };

export const jobCancel: Run<Args> = async (args, ctx) => {
  const job = await ctx.client.post<JobView>(`/v1/jobs/${encodeURIComponent(args.id)}/cancel`);
  if (ctx.json) printJson(ctx.io.stdout, job);
  else ctx.io.stdout.write(renderJob(job));
  return 0;
};

export function registerJobCancel(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'cancel <id>',
    'cancel a queued or running job',
    (b) => b.positional('id', { type: 'string', demandOption: true, describe: 'job id' }),
    bind<Args>(jobCancel),
  );
}
