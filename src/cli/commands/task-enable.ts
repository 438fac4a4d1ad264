/** `virtpoint task enable NAME` (POST /v1/tasks/{name}/enable). */

import type { Argv } from 'yargs';

import type { TaskView } from '../../contract/index.js';
import type { Bind, GlobalArgs, Run } from '../context.js';
import { requiredRef } from '../validate.js';
import { printJson } from '../output.js';

type Args = GlobalArgs & { name: string };

export const taskEnable: Run<Args> = async (args, ctx) => {
  const task = await ctx.client.post<TaskView>(`/v1/tasks/${encodeURIComponent(args.name)}/enable`);
  if (ctx.json) printJson(ctx.io.stdout, task);
  else ctx.io.stdout.write(`enabled task ${task.name}\n`);
  return 0;
};

export function registerTaskEnable(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'enable <name>',
    'enable a task: its policies run it again',
    (b) => b.positional('name', requiredRef('task', 'task name')),
    bind<Args>(taskEnable),
  );
}
