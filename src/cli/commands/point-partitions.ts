/** `virtpoint point partitions ID --disk vda` (GET /v1/points/{id}/partitions?disk=vda). */

import type { Argv } from 'yargs';

import type { PartitionsView } from '../../contract/index.js';
import type { Bind, GlobalArgs, Run } from '../context.js';
import { printJson } from '../output.js';
import { renderPartitions } from '../render-mount.js';

type Args = GlobalArgs & { id: string; disk: string };

export const pointPartitions: Run<Args> = async (args, ctx) => {
  const v = await ctx.client.get<PartitionsView>(`/v1/points/${encodeURIComponent(args.id)}/partitions`, {
    disk: args.disk,
  });
  if (ctx.json) printJson(ctx.io.stdout, v);
  else ctx.io.stdout.write(renderPartitions(v));
  return 0;
};

export function registerPointPartitions(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'partitions <id>',
    "list the partitions of a point's disk (what point mount --partition takes)",
    (b) =>
      b
        .positional('id', { type: 'string', demandOption: true, describe: 'point id' })
        .option('disk', { type: 'string', demandOption: true, describe: 'disk target of the point (vda)' }),
    bind<Args>(pointPartitions),
  );
}
