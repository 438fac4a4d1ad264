/** `virtpoint chain list [--domain D]` (GET /v1/chains). */

import type { Argv } from 'yargs';

import type { ChainView } from '../../contract/index.js';
import type { Bind, GlobalArgs, Run } from '../context.js';
import { printJson, tableOrHint } from '../output.js';
import { CHAIN_COLUMNS } from '../render.js';

type Args = GlobalArgs & { domain?: string };

export const chainList: Run<Args> = async (args, ctx) => {
  const chains = await ctx.client.get<ChainView[]>('/v1/chains', { domain: args.domain });
  if (ctx.json) printJson(ctx.io.stdout, chains);
  else
    ctx.io.stdout.write(tableOrHint(chains, CHAIN_COLUMNS, 'no chains (virtpoint backup DOMAIN starts one)'));
  return 0;
};

export function registerChainList(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'list',
    'list chains',
    (b) => b.option('domain', { type: 'string', describe: 'domain name or UUID' }),
    bind<Args>(chainList),
  );
}
