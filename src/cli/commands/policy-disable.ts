/** `virtpoint policy disable NAME` (POST /v1/policies/{name}/disable). */

import type { Argv } from 'yargs';

import type { PolicyView } from '../../contract/index.js';
import type { Bind, GlobalArgs, Run } from '../context.js';
import { requiredRef } from '../validate.js';
import { printJson } from '../output.js';

type Args = GlobalArgs & { name: string };

export const policyDisable: Run<Args> = async (args, ctx) => {
  const policy = await ctx.client.post<PolicyView>(`/v1/policies/${encodeURIComponent(args.name)}/disable`);
  if (ctx.json) printJson(ctx.io.stdout, policy);
  else ctx.io.stdout.write(`disabled policy ${policy.name}\n`);
  return 0;
};

export function registerPolicyDisable(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'disable <name>',
    'disable a policy: it fires no more (running jobs go on)',
    (b) => b.positional('name', requiredRef('policy', 'policy name')),
    bind<Args>(policyDisable),
  );
}
