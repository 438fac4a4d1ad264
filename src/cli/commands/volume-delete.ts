/** `virtpoint volume delete ID|NAME` (DELETE /v1/volumes/{id or name}): the libvirt volume or the file, and its record. */

import type { Argv } from 'yargs';

import type { Bind, GlobalArgs, Run } from '../context.js';
import { requiredRef } from '../validate.js';
import { printJson } from '../output.js';

type Args = GlobalArgs & { id: string };

export const volumeDelete: Run<Args> = async (args, ctx) => {
  await ctx.client.delete(`/v1/volumes/${encodeURIComponent(args.id)}`);
  if (ctx.json) printJson(ctx.io.stdout, { deleted: args.id });
  else ctx.io.stdout.write(`deleted volume ${args.id}\n`);
  return 0;
};

export function registerVolumeDelete(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'delete <id>',
    'delete a volume virtpoint made',
    (b) => b.positional('id', requiredRef('volume', 'volume id or name')),
    bind<Args>(volumeDelete),
  );
}
