/** `virtpoint task show NAME` (GET /v1/tasks/{name}). */

import type { Argv } from 'yargs';

import type { TaskView } from '../../contract/index.js';
import type { Bind, GlobalArgs, Run } from '../context.js';
import { requiredRef } from '../validate.js';
import { printJson } from '../output.js';
import { renderTask } from '../render-scheduling.js';

type Args = GlobalArgs & { name: string };

export const taskShow: Run<Args> = async (args, ctx) => {
  const task = await ctx.client.get<TaskView>(`/v1/tasks/${encodeURIComponent(args.name)}`);
  if (ctx.json) printJson(ctx.io.stdout, task);
  else ctx.io.stdout.write(renderTask(task));
  return 0;
};

export function registerTaskShow(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'show <name>',
    'show one task: resources, policies, retention, receivers, last run',
    (b) => b.positional('name', requiredRef('task', 'task name')),
    bind<Args>(taskShow),
  );
}
