/** `virtpoint point show ID|NAME [--domain D]` (GET /v1/points/{id or name}). */

import type { Argv } from 'yargs';

import type { Bind, GlobalArgs, Run } from '../context.js';
import { printJson } from '../output.js';
import { renderPoint } from '../render.js';
import { getPointByRef } from '../point-ref.js';

type Args = GlobalArgs & { id: string; domain?: string };

export const pointShow: Run<Args> = async (args, ctx) => {
  const point = await getPointByRef(ctx, args.id, args.domain);
  if (ctx.json) printJson(ctx.io.stdout, point);
  else ctx.io.stdout.write(renderPoint(point));
  return 0;
};

export function registerPointShow(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'show <id>',
    'show one point with its disks',
    (b) =>
      b
        .positional('id', { type: 'string', demandOption: true, describe: 'point id or name' })
        .option('domain', { type: 'string', describe: 'look the name up in this domain (name or UUID)' }),
    bind<Args>(pointShow),
  );
}
