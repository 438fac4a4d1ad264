/** `virtpoint policy enable NAME` (POST /v1/policies/{name}/enable). */

import type { Argv } from 'yargs';

import type { PolicyView } from '../../contract/index.js';
import type { Bind, GlobalArgs, Run } from '../context.js';
import { requiredRef } from '../validate.js';
import { printJson } from '../output.js';

type Args = GlobalArgs & { name: string };

export const policyEnable: Run<Args> = async (args, ctx) => {
  const policy = await ctx.client.post<PolicyView>(`/v1/policies/${encodeURIComponent(args.name)}/enable`);
  if (ctx.json) printJson(ctx.io.stdout, policy);
  else ctx.io.stdout.write(`enabled policy ${policy.name}\n`);
  return 0;
};

export function registerPolicyEnable(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'enable <name>',
    'enable a policy: its tasks run at its times again',
    (b) => b.positional('name', requiredRef('policy', 'policy name')),
    bind<Args>(policyEnable),
  );
}
