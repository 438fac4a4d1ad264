/** `virtpoint task list [--policy P]` (GET /v1/tasks). */

import type { Argv } from 'yargs';

import type { TaskView } from '../../contract/index.js';
import type { Bind, GlobalArgs, Run } from '../context.js';
import { printJson, table } from '../output.js';
import { TASK_COLUMNS } from '../render-scheduling.js';

type Args = GlobalArgs & { policy?: string };

export const taskList: Run<Args> = async (args, ctx) => {
  const tasks = await ctx.client.get<TaskView[]>('/v1/tasks', { policy: args.policy });
  if (ctx.json) printJson(ctx.io.stdout, tasks);
  else if (tasks.length === 0) ctx.io.stdout.write('no tasks (virtpoint task create --help)\n');
  else ctx.io.stdout.write(table(tasks, TASK_COLUMNS));
  return 0;
};

export function registerTaskList(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'list',
    'list backup tasks',
    (b) => b.option('policy', { type: 'string', describe: 'only the tasks of this policy' }),
    bind<Args>(taskList),
  );
}
