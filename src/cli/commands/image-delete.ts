/** `virtpoint image delete NAME` (DELETE /v1/images/{name}): lifts a linked image's protection. */

import type { Argv } from 'yargs';

import type { Bind, GlobalArgs, Run } from '../context.js';
import { requiredRef } from '../validate.js';
import { printJson } from '../output.js';

type Args = GlobalArgs & { name: string };

export const imageDelete: Run<Args> = async (args, ctx) => {
  await ctx.client.delete(`/v1/images/${encodeURIComponent(args.name)}`);
  if (ctx.json) printJson(ctx.io.stdout, { deleted: args.name });
  else ctx.io.stdout.write(`deleted image ${args.name}\n`);
  return 0;
};

export function registerImageDelete(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'delete <name>',
    'delete an image',
    (b) => b.positional('name', requiredRef('image', 'image name')),
    bind<Args>(imageDelete),
  );
}
