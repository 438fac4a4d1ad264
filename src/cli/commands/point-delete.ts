/**
 * `virtpoint point delete ID [--cascade] [--yes] [--no-wait]` (DELETE /v1/points/{id}). Deleting
 * the full point of a chain deletes the whole chain, and `--cascade` every later point: when more
 * than one point would go, `--yes` is required (exit 2 without it).
 */

import type { Argv } from 'yargs';

import type { JobView, PointView } from '../../contract/index.js';
import { UsageError, type Bind, type GlobalArgs, type Run } from '../context.js';
import { settleJob } from '../wait.js';

type Args = GlobalArgs & { id: string; cascade: boolean; yes: boolean; wait: boolean };

/** The points a delete of `point` removes, as the points list tells. */
async function affectedPoints(
  ctx: Parameters<Run<Args>>[1],
  point: PointView,
  cascade: boolean,
): Promise<PointView[]> {
  if (point.kind !== 'full' && !cascade) return [point];
  const chain = await ctx.client.getAllPages<PointView>('/v1/points', { chain: point.chainId });
  const gone = point.kind === 'full' ? chain : chain.filter((p) => p.seq >= point.seq);
  return gone.some((p) => p.id === point.id) ? gone : [point, ...gone];
}

export const pointDelete: Run<Args> = async (args, ctx) => {
  const path = `/v1/points/${encodeURIComponent(args.id)}`;
  const point = await ctx.client.get<PointView>(path);
  const gone = await affectedPoints(ctx, point, args.cascade);
  if (gone.length > 1 && !args.yes) {
    const why =
      point.kind === 'full'
        ? `point ${point.id} is the full point of chain ${point.chainId}`
        : `--cascade deletes every later point of chain ${point.chainId}`;
    throw new UsageError(
      `${why}: ${gone.length} points would be deleted (${gone.map((p) => p.name).join(', ')}); ` +
        'pass --yes to confirm',
    );
  }
  const job = await ctx.client.delete<JobView>(path, { cascade: args.cascade ? 'true' : undefined });
  return settleJob(
    ctx,
    job,
    args.wait,
    () => `deleted ${gone.length} point(s): ${gone.map((p) => `${p.name} (${p.id})`).join(', ')}\n`,
  );
};

export function registerPointDelete(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'delete <id>',
    'delete a point (a full point takes its whole chain with it)',
    (b) =>
      b
        .positional('id', { type: 'string', demandOption: true, describe: 'point id' })
        .option('cascade', { type: 'boolean', default: false, describe: 'also delete every later point' })
        .option('yes', { type: 'boolean', default: false, describe: 'confirm deleting more than one point' })
        .option('wait', { type: 'boolean', default: true, describe: 'wait for the delete job (--no-wait)' }),
    bind<Args>(pointDelete),
  );
}
