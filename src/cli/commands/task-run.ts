/** `virtpoint task run NAME` (POST /v1/tasks/{name}/run): runs it now. */

import type { Argv } from 'yargs';

import type { TaskRunView } from '../../contract/index.js';
import type { Bind, GlobalArgs, Run } from '../context.js';
import { printJson } from '../output.js';

type Args = GlobalArgs & { name: string };

export const taskRun: Run<Args> = async (args, ctx) => {
  const run = await ctx.client.post<TaskRunView>(`/v1/tasks/${encodeURIComponent(args.name)}/run`);
  if (ctx.json) printJson(ctx.io.stdout, run);
  else
    ctx.io.stdout.write(`started run ${run.id} of task ${run.task} (virtpoint task history ${run.task})\n`);
  return 0;
};

export function registerTaskRun(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'run <name>',
    'run a task now',
    (b) => b.positional('name', { type: 'string', demandOption: true, describe: 'task name' }),
    bind<Args>(taskRun),
  );
}
