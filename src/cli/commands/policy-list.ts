/** `virtpoint policy list` (GET /v1/policies). */

import type { Argv } from 'yargs';

import type { PolicyView } from '../../contract/index.js';
import type { Bind, GlobalArgs, Run } from '../context.js';
import { printJson, table } from '../output.js';
import { POLICY_COLUMNS } from '../render-scheduling.js';

export const policyList: Run<GlobalArgs> = async (_args, ctx) => {
  const policies = await ctx.client.get<PolicyView[]>('/v1/policies');
  if (ctx.json) printJson(ctx.io.stdout, policies);
  else if (policies.length === 0) ctx.io.stdout.write('no policies (virtpoint policy create --help)\n');
  else ctx.io.stdout.write(table(policies, POLICY_COLUMNS));
  return 0;
};

export function registerPolicyList(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command('list', 'list policies with their next run', (b) => b, bind<GlobalArgs>(policyList));
}
