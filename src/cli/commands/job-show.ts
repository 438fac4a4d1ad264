/** `virtpoint job show ID` (GET /v1/jobs/{id}). */

import type { Argv } from 'yargs';

import type { JobView } from '../../contract/index.js';
import type { Bind, GlobalArgs, Run } from '../context.js';
import { checkRef } from '../validate.js';
import { printJson } from '../output.js';
import { renderJob } from '../render.js';

type Args = GlobalArgs & { id: string };

export const jobShow: Run<Args> = async (args, ctx) => {
  const job = await ctx.client.get<JobView>(`/v1/jobs/${encodeURIComponent(args.id)}`);
  if (ctx.json) printJson(ctx.io.stdout, job);
  else ctx.io.stdout.write(renderJob(job));
  return 0;
};

export function registerJobShow(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'show <id>',
    'show one job',
    (b) =>
      b.positional('id', { type: 'string', demandOption: true, describe: 'job id', coerce: checkRef('job') }),
    bind<Args>(jobShow),
  );
}
