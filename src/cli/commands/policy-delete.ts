/** `virtpoint policy delete NAME` (DELETE /v1/policies/{name}); refused while a task uses it. */

import type { Argv } from 'yargs';

import type { Bind, GlobalArgs, Run } from '../context.js';
import { requiredRef } from '../validate.js';
import { printJson } from '../output.js';

type Args = GlobalArgs & { name: string };

export const policyDelete: Run<Args> = async (args, ctx) => {
  await ctx.client.delete<undefined>(`/v1/policies/${encodeURIComponent(args.name)}`);
  if (ctx.json) printJson(ctx.io.stdout, { deleted: args.name });
  else ctx.io.stdout.write(`deleted policy ${args.name}\n`);
  return 0;
};

export function registerPolicyDelete(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'delete <name>',
    'delete a policy no task uses',
    (b) => b.positional('name', requiredRef('policy', 'policy name')),
    bind<Args>(policyDelete),
  );
}
