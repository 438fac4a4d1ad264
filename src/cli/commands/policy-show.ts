/** `virtpoint policy show NAME` (GET /v1/policies/{name}). */

import type { Argv } from 'yargs';

import type { PolicyView } from '../../contract/index.js';
import type { Bind, GlobalArgs, Run } from '../context.js';
import { requiredRef } from '../validate.js';
import { printJson } from '../output.js';
import { renderPolicy } from '../render-scheduling.js';

type Args = GlobalArgs & { name: string };

export const policyShow: Run<Args> = async (args, ctx) => {
  const policy = await ctx.client.get<PolicyView>(`/v1/policies/${encodeURIComponent(args.name)}`);
  if (ctx.json) printJson(ctx.io.stdout, policy);
  else ctx.io.stdout.write(renderPolicy(policy));
  return 0;
};

export function registerPolicyShow(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'show <name>',
    'show one policy: schedule, tasks, next run',
    (b) => b.positional('name', requiredRef('policy', 'policy name')),
    bind<Args>(policyShow),
  );
}
