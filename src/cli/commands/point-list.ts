/** `virtpoint point list [--domain D] [--chain C] [--state S] [--orphaned]` (GET /v1/points). */

import type { Argv } from 'yargs';

import { POINT_STATES, type PointState } from '../../core/point-state.js';
import type { PointView } from '../../contract/index.js';
import type { Bind, GlobalArgs, Run } from '../context.js';
import { printJson, table } from '../output.js';
import { POINT_COLUMNS } from '../render.js';

type Args = GlobalArgs & { domain?: string; chain?: string; state?: PointState; orphaned?: boolean };

export const pointList: Run<Args> = async (args, ctx) => {
  const points = await ctx.client.getAllPages<PointView>('/v1/points', {
    domain: args.domain,
    chain: args.chain,
    state: args.state,
    orphaned: args.orphaned === true ? 'true' : undefined,
  });
  if (ctx.json) printJson(ctx.io.stdout, points);
  else ctx.io.stdout.write(table(points, POINT_COLUMNS));
  return 0;
};

export function registerPointList(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'list',
    'list points',
    (b) =>
      b
        .option('domain', { type: 'string', describe: 'domain name or UUID' })
        .option('chain', { type: 'string', describe: 'chain id' })
        .option('state', { choices: POINT_STATES, describe: 'point state' })
        .option('orphaned', {
          type: 'boolean',
          describe: 'only points whose owning task is deleted (shown as "(deleted task NAME)")',
        }),
    bind<Args>(pointList),
  );
}
