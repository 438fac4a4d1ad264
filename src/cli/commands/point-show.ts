/** `virtpoint point show ID` (GET /v1/points/{id}). */

import type { Argv } from 'yargs';

import type { PointView } from '../../contract/index.js';
import type { Bind, GlobalArgs, Run } from '../context.js';
import { printJson } from '../output.js';
import { renderPoint } from '../render.js';

type Args = GlobalArgs & { id: string };

export const pointShow: Run<Args> = async (args, ctx) => {
  const point = await ctx.client.get<PointView>(`/v1/points/${encodeURIComponent(args.id)}`);
  if (ctx.json) printJson(ctx.io.stdout, point);
  else ctx.io.stdout.write(renderPoint(point));
  return 0;
};

export function registerPointShow(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'show <id>',
    'show one point with its disks',
    (b) => b.positional('id', { type: 'string', demandOption: true, describe: 'point id' }),
    bind<Args>(pointShow),
  );
}
