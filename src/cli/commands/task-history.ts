/** `virtpoint task history NAME [--limit N]` (GET /v1/tasks/{name}/history), newest first. */

import type { Argv } from 'yargs';

import type { TaskRunView } from '../../contract/index.js';
import type { Bind, GlobalArgs, Run } from '../context.js';
import { printJson, table } from '../output.js';
import { RUN_COLUMNS } from '../render-scheduling.js';
import { checkInt, requiredRef } from '../validate.js';

type Args = GlobalArgs & { name: string; limit?: number };

export const taskHistory: Run<Args> = async (args, ctx) => {
  const runs = await ctx.client.get<TaskRunView[]>(`/v1/tasks/${encodeURIComponent(args.name)}/history`, {
    limit: args.limit,
  });
  if (ctx.json) printJson(ctx.io.stdout, runs);
  else if (runs.length === 0) ctx.io.stdout.write(`task ${args.name} has not run yet\n`);
  else ctx.io.stdout.write(table(runs, RUN_COLUMNS));
  return 0;
};

export function registerTaskHistory(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'history <name>',
    'the last runs of a task (100 are kept): start, end, outcome per resource',
    (b) =>
      b
        .positional('name', requiredRef('task', 'task name'))
        .option('limit', { type: 'number', describe: 'at most this many runs (1-100)' })
        .check((a) => {
          checkInt('--limit', a.limit, 1, 100);
          return true;
        }),
    bind<Args>(taskHistory),
  );
}
