/**
 * `virtpoint point export ID --disk vda --nbd SOCKET` (POST /v1/exports): the point's disk as a
 * read-only NBD export named `disk` on a new Unix socket. Undo with `virtpoint point unmount SOCKET`.
 */

import { resolve } from 'node:path';

import type { Argv } from 'yargs';

import type { ExportInput, MountView } from '../../contract/index.js';
import type { Bind, GlobalArgs, Run } from '../context.js';
import { printJson } from '../output.js';
import { renderMount } from '../render-mount.js';

type Args = GlobalArgs & { id: string; disk: string; nbd: string };

export const pointExport: Run<Args> = async (args, ctx) => {
  const input: ExportInput = { point: args.id, disk: args.disk, socket: resolve(args.nbd) };
  const m = await ctx.client.post<MountView>('/v1/exports', input);
  if (ctx.json) printJson(ctx.io.stdout, m);
  else ctx.io.stdout.write(renderMount(m));
  return 0;
};

export function registerPointExport(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'export <id>',
    "export a point's disk read-only over NBD on a Unix socket",
    (b) =>
      b
        .positional('id', { type: 'string', demandOption: true, describe: 'point id' })
        .option('disk', { type: 'string', demandOption: true, describe: 'disk target of the point (vda)' })
        .option('nbd', { type: 'string', demandOption: true, describe: 'path of the Unix socket to create' }),
    bind<Args>(pointExport),
  );
}
