/**
 * `virtpoint task update NAME [--name NEW] [--domain D]... [--disk D:vdb]... [--chain-length N]
 * [--retain R] [--notify RECEIVER]... [--clear-notify] [--[no-]verify-after] [--copy-to TARGET]...
 * [--no-copy-to]` (PATCH /v1/tasks/{name}). `--copy-to` replaces the targets. `--domain` and
 * `--disk` together replace the resources; `--notify` replaces the receivers. The policies of a
 * task cannot change (create a new task).
 */

import type { Argv } from 'yargs';

import { MAX_CHAIN_LENGTH, MIN_CHAIN_LENGTH } from '../../core/limits.js';
import type { TaskUpdateInput, TaskView } from '../../contract/index.js';
import { UsageError, type Bind, type GlobalArgs, type Run } from '../context.js';
import { printJson } from '../output.js';
import { renderTask } from '../render-scheduling.js';
import { checkInt, requiredRef } from '../validate.js';
import { checkTaskFlags, TASK_OPTIONS } from './task-flags.js';

type Args = GlobalArgs & {
  task: string;
  name?: string;
  domain?: string[];
  disk?: string[];
  volume?: string[];
  volumePath?: string[];
  chainLength?: number;
  retain?: string;
  notify?: string[];
  verifyAfter?: boolean;
  copyTo?: string[];
  clearNotify: boolean;
};

export const taskUpdate: Run<Args> = async (args, ctx) => {
  const patch: { -readonly [K in keyof TaskUpdateInput]: TaskUpdateInput[K] } = {};
  if (args.name !== undefined) patch.name = args.name;
  if (args.domain !== undefined) patch.domains = args.domain;
  if (args.disk !== undefined) patch.disks = args.disk;
  if (args.volume !== undefined) patch.volumes = args.volume;
  if (args.volumePath !== undefined) patch.volumePaths = args.volumePath;
  if (args.chainLength !== undefined) patch.chainLength = args.chainLength;
  if (args.retain !== undefined) patch.retention = args.retain;
  if (args.notify !== undefined) patch.receivers = args.notify;
  if (args.clearNotify) patch.receivers = [];
  if (args.verifyAfter !== undefined) patch.verifyAfter = args.verifyAfter;
  if (args.copyTo !== undefined) patch.copyTo = args.copyTo;
  if (Object.keys(patch).length === 0) {
    throw new UsageError('nothing to change (virtpoint task update --help lists the flags)');
  }
  const task = await ctx.client.patch<TaskView>(`/v1/tasks/${encodeURIComponent(args.task)}`, patch);
  for (const w of task.warnings ?? []) ctx.io.stderr.write(`warning: ${w}\n`);
  if (ctx.json) printJson(ctx.io.stdout, task);
  else ctx.io.stdout.write(renderTask(task));
  return 0;
};

export function registerTaskUpdate(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'update <task>',
    'change a task (anything but its policies)',
    (b) =>
      b
        .positional('task', requiredRef('task', 'task name'))
        .option('name', { type: 'string', describe: 'new name' })
        .options(TASK_OPTIONS)
        .option('clear-notify', { type: 'boolean', default: false, describe: 'remove every receiver' })
        .option('policy', { type: 'string', hidden: true })
        .check((a) => {
          if (a.policy !== undefined) {
            throw new Error(
              'the policies of a task cannot be changed; create a new task with the other policies',
            );
          }
          if (a['clear-notify'] && a.notify !== undefined)
            throw new Error('pass --notify or --clear-notify, not both');
          checkInt('--chain-length', a['chain-length'], MIN_CHAIN_LENGTH, MAX_CHAIN_LENGTH);
          checkTaskFlags(a);
          return true;
        }),
    bind<Args>(taskUpdate),
  );
}
