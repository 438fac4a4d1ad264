/**
 * `virtpoint chain delete ID [--yes] [--no-wait]` (DELETE /v1/chains/{id}): deletes every point of
 * the chain, so `--yes` is required when it holds more than one (exit 2 without it).
 */

import type { Argv } from 'yargs';

import type { ChainView, JobView } from '../../contract/index.js';
import { UsageError, type Bind, type GlobalArgs, type Run } from '../context.js';
import { requiredRef } from '../validate.js';
import { settleJob } from '../wait.js';

type Args = GlobalArgs & { id: string; yes: boolean; wait: boolean };

export const chainDelete: Run<Args> = async (args, ctx) => {
  const path = `/v1/chains/${encodeURIComponent(args.id)}`;
  const chain = await ctx.client.get<ChainView>(path);
  if (chain.points > 1 && !args.yes) {
    throw new UsageError(
      `chain ${chain.id} of ${chain.domainName} holds ${chain.points} points, all would be deleted; pass --yes to confirm`,
    );
  }
  const job = await ctx.client.delete<JobView>(path);
  return settleJob(
    ctx,
    job,
    args.wait,
    () => `deleted chain ${chain.id} of ${chain.domainName} (${chain.points} point(s))\n`,
  );
};

export function registerChainDelete(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'delete <id>',
    'delete a chain and all its points',
    (b) =>
      b
        .positional('id', requiredRef('chain', 'chain id'))
        .option('yes', { type: 'boolean', default: false, describe: 'confirm deleting more than one point' })
        .option('wait', { type: 'boolean', default: true, describe: 'wait for the delete job (--no-wait)' }),
    bind<Args>(chainDelete),
  );
}
