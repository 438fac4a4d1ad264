/** `virtpoint task disable NAME` (POST /v1/tasks/{name}/disable). */

import type { Argv } from 'yargs';

import type { TaskView } from '../../contract/index.js';
import type { Bind, GlobalArgs, Run } from '../context.js';
import { requiredRef } from '../validate.js';
import { printJson } from '../output.js';

type Args = GlobalArgs & { name: string };

export const taskDisable: Run<Args> = async (args, ctx) => {
  const task = await ctx.client.post<TaskView>(`/v1/tasks/${encodeURIComponent(args.name)}/disable`);
  if (ctx.json) printJson(ctx.io.stdout, task);
  else ctx.io.stdout.write(`disabled task ${task.name}\n`);
  return 0;
};

export function registerTaskDisable(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'disable <name>',
    'disable a task: no more scheduled runs (running jobs go on)',
    (b) => b.positional('name', requiredRef('task', 'task name')),
    bind<Args>(taskDisable),
  );
}
