/**
 * `virtpoint target remove NAME` (DELETE /v1/targets/{name}): forgets the target, its copies'
 * records and virtpointd's copies of its secrets. Nothing on the target is deleted.
 */

import type { Argv } from 'yargs';

import type { Bind, GlobalArgs, Run } from '../context.js';
import { requiredRef } from '../validate.js';

type Args = GlobalArgs & { name: string };

export const targetRemove: Run<Args> = async (args, ctx) => {
  await ctx.client.delete(`/v1/targets/${encodeURIComponent(args.name)}`);
  if (!ctx.json) ctx.io.stdout.write(`target ${args.name} removed (its remote objects are kept)\n`);
  return 0;
};

export function registerTargetRemove(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'remove <name>',
    'forget a target (the objects on it are kept)',
    (b) => b.positional('name', requiredRef('target', 'target name')),
    bind<Args>(targetRemove),
  );
}
