/**
 * `virtpoint task run NAME [--no-wait]` (POST /v1/tasks/{name}/run): runs it now and waits for the
 * run to end (polling GET /v1/tasks/{name}/history), showing how long it has run on stderr, then
 * prints the run; exit 1 unless it succeeded (with or without warnings). Ctrl-C stops waiting,
 * not the run (exit 130). `--no-wait` prints the started run at once.
 */

import type { Argv } from 'yargs';

import type { TaskRunView } from '../../contract/index.js';
import { Interrupted, type Bind, type Ctx, type GlobalArgs, type Run } from '../context.js';
import { requiredRef } from '../validate.js';
import { printJson, table } from '../output.js';
import { RUN_COLUMNS } from '../render-scheduling.js';

type Args = GlobalArgs & { name: string; wait: boolean; pollMs?: number };

const POLL_MS = 1000;
const OK = new Set(['succeeded', 'succeeded-with-warnings']);

async function untilEnded(ctx: Ctx, task: string, run: TaskRunView, pollMs: number): Promise<TaskRunView> {
  const started = Date.now();
  const stop = ctx.io.interrupted?.then(() => null) ?? new Promise<never>(() => undefined);
  const path = `/v1/tasks/${encodeURIComponent(task)}/history`;
  for (let current = run; ;) {
    if (current.outcome !== 'running') return current;
    const waited = await Promise.race([new Promise((r) => setTimeout(r, pollMs)), stop]);
    if (waited === null) {
      throw new Interrupted(`run ${run.id} of task ${task} continues (virtpoint task history ${task})`);
    }
    const runs = await ctx.client.get<TaskRunView[]>(path, { limit: 20 });
    current = runs.find((r) => r.id === run.id) ?? current;
    if (ctx.io.isTTY) {
      ctx.io.stderr.write(
        `\rtask ${task} run ${run.id}: running ${Math.round((Date.now() - started) / 1000)} s`,
      );
    }
  }
}

export const taskRun: Run<Args> = async (args, ctx) => {
  const started = await ctx.client.post<TaskRunView>(`/v1/tasks/${encodeURIComponent(args.name)}/run`);
  if (!args.wait) {
    if (ctx.json) printJson(ctx.io.stdout, started);
    else
      ctx.io.stdout.write(
        `started run ${started.id} of task ${started.task} (virtpoint task history ${started.task})\n`,
      );
    return 0;
  }
  const run = await untilEnded(ctx, args.name, started, args.pollMs ?? POLL_MS);
  if (ctx.io.isTTY) ctx.io.stderr.write('\n');
  if (ctx.json) printJson(ctx.io.stdout, run);
  else ctx.io.stdout.write(table([run], RUN_COLUMNS));
  return OK.has(run.outcome) ? 0 : 1;
};

export function registerTaskRun(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'run <name>',
    'run a task now and wait for the run to end',
    (b) =>
      b
        .positional('name', requiredRef('task', 'task name'))
        .option('wait', {
          type: 'boolean',
          default: true,
          describe: 'wait for the run to end (--no-wait: print the started run)',
        })
        .option('poll-ms', { type: 'number', hidden: true }),
    bind<Args>(taskRun),
  );
}
