/**
 * `virtpoint task create NAME --domain D [--domain D2] [--disk D:vdb] [--volume POOL/VOL]
 * [--volume-path FILE] --policy P [--policy P2]
 * [--chain-length N] [--retain forever|chains:N|count:N|days:N] [--notify RECEIVER]...
 * [--verify-after] [--copy-to TARGET]... [--disabled]` (POST /v1/tasks).
 */

import type { Argv } from 'yargs';

import { MAX_CHAIN_LENGTH, MIN_CHAIN_LENGTH } from '../../core/limits.js';
import type { TaskCreateInput, TaskView } from '../../contract/index.js';
import type { Bind, GlobalArgs, Run } from '../context.js';
import { printJson } from '../output.js';
import { renderTask } from '../render-scheduling.js';
import { checkInt, toList, requiredRef } from '../validate.js';
import { checkTaskFlags, TASK_OPTIONS } from './task-flags.js';

type Args = GlobalArgs & {
  name: string;
  domain?: string[];
  disk?: string[];
  volume?: string[];
  volumePath?: string[];
  policy: string[];
  chainLength?: number;
  retain?: string;
  notify?: string[];
  verifyAfter?: boolean;
  copyTo?: string[];
  disabled: boolean;
};

export const taskCreate: Run<Args> = async (args, ctx) => {
  const input: TaskCreateInput = {
    name: args.name,
    ...(args.domain === undefined ? {} : { domains: args.domain }),
    ...(args.disk === undefined ? {} : { disks: args.disk }),
    ...(args.volume === undefined ? {} : { volumes: args.volume }),
    ...(args.volumePath === undefined ? {} : { volumePaths: args.volumePath }),
    policies: args.policy,
    ...(args.chainLength === undefined ? {} : { chainLength: args.chainLength }),
    ...(args.retain === undefined ? {} : { retention: args.retain }),
    ...(args.notify === undefined ? {} : { receivers: args.notify }),
    ...(args.disabled ? { enabled: false } : {}),
    ...(args.verifyAfter === undefined ? {} : { verifyAfter: args.verifyAfter }),
    ...(args.copyTo === undefined ? {} : { copyTo: args.copyTo }),
  };
  const task = await ctx.client.post<TaskView>('/v1/tasks', input);
  for (const w of task.warnings ?? []) ctx.io.stderr.write(`warning: ${w}\n`);
  if (ctx.json) printJson(ctx.io.stdout, task);
  else ctx.io.stdout.write(renderTask(task));
  return 0;
};

export function registerTaskCreate(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'create <name>',
    'create a backup task: what to back up, on which policies, how long to keep',
    (b) =>
      b
        .positional('name', requiredRef('task', 'task name'))
        .options(TASK_OPTIONS)
        .option('policy', {
          type: 'string',
          demandOption: 'name a policy with --policy (virtpoint policy list)',
          describe: 'policy that runs it (repeatable, 1-8; fixed for the task)',
          coerce: toList,
        })
        .option('disabled', { type: 'boolean', default: false, describe: 'create it disabled' })
        .check((a) => {
          if ([a.domain, a.disk, a.volume, a['volume-path']].every((x) => x === undefined)) {
            throw new Error(
              'name what to back up with --domain D, --disk D:vdb, --volume POOL/VOL or --volume-path FILE',
            );
          }
          checkInt('--chain-length', a['chain-length'], MIN_CHAIN_LENGTH, MAX_CHAIN_LENGTH);
          checkTaskFlags(a);
          return true;
        }),
    bind<Args>(taskCreate),
  );
}
