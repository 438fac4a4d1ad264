/**
 * `virtpoint point mount ID --disk vda [--partition N] DIR` (POST /v1/mounts): the point's disk,
 * flattened through its chain, mounted read-only on the empty directory DIR (journal never
 * replayed). Undo with `virtpoint point unmount DIR`.
 */

import { resolve } from 'node:path';

import type { Argv } from 'yargs';

import type { MountInput, MountView } from '../../contract/index.js';
import type { Bind, GlobalArgs, Run } from '../context.js';
import { printJson } from '../output.js';
import { renderMount } from '../render-mount.js';

type Args = GlobalArgs & { id: string; dir: string; disk: string; partition?: number };

export const pointMount: Run<Args> = async (args, ctx) => {
  const input: MountInput = {
    point: args.id,
    disk: args.disk,
    dir: resolve(args.dir),
    ...(args.partition === undefined ? {} : { partition: args.partition }),
  };
  const m = await ctx.client.post<MountView>('/v1/mounts', input);
  if (ctx.json) printJson(ctx.io.stdout, m);
  else ctx.io.stdout.write(renderMount(m));
  return 0;
};

export function registerPointMount(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'mount <id> <dir>',
    "mount a point's disk read-only on an empty directory",
    (b) =>
      b
        .positional('id', { type: 'string', demandOption: true, describe: 'point id' })
        .positional('dir', { type: 'string', demandOption: true, describe: 'an empty directory' })
        .option('disk', { type: 'string', demandOption: true, describe: 'disk target of the point (vda)' })
        .option('partition', {
          type: 'number',
          describe: 'partition number (virtpoint point partitions); default: the only or largest Linux one',
        }),
    bind<Args>(pointMount),
  );
}
