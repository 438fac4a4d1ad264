/** `virtpoint policy run NAME` (POST /v1/policies/{name}/run): runs its enabled tasks now. */

import type { Argv } from 'yargs';

import type { TaskRunView } from '../../contract/index.js';
import type { Bind, GlobalArgs, Run } from '../context.js';
import { requiredRef } from '../validate.js';
import { printJson } from '../output.js';

type Args = GlobalArgs & { name: string };

export const policyRun: Run<Args> = async (args, ctx) => {
  const runs = await ctx.client.post<TaskRunView[]>(`/v1/policies/${encodeURIComponent(args.name)}/run`);
  if (ctx.json) printJson(ctx.io.stdout, runs);
  else {
    for (const r of runs) {
      ctx.io.stdout.write(`started run ${r.id} of task ${r.task} (virtpoint task history ${r.task})\n`);
    }
  }
  return 0;
};

export function registerPolicyRun(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'run <name>',
    'run every enabled task of the policy now',
    (b) => b.positional('name', requiredRef('policy', 'policy name')),
    bind<Args>(policyRun),
  );
}
