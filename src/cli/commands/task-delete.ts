/** `virtpoint task delete NAME` (DELETE /v1/tasks/{name}): its points are kept. */

import type { Argv } from 'yargs';

import type { Bind, GlobalArgs, Run } from '../context.js';
import { requiredRef } from '../validate.js';
import { printJson } from '../output.js';

type Args = GlobalArgs & { name: string };

export const taskDelete: Run<Args> = async (args, ctx) => {
  await ctx.client.delete<undefined>(`/v1/tasks/${encodeURIComponent(args.name)}`);
  if (ctx.json) printJson(ctx.io.stdout, { deleted: args.name });
  else ctx.io.stdout.write(`deleted task ${args.name} (its points are kept)\n`);
  return 0;
};

export function registerTaskDelete(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'delete <name>',
    'delete a task and its run history (its points are kept)',
    (b) => b.positional('name', requiredRef('task', 'task name')),
    bind<Args>(taskDelete),
  );
}
