/** `virtpoint target prune NAME` (POST /v1/targets/{name}/prune): applies the target's remote retention now. */

import type { Argv } from 'yargs';

import type { RemotePruneResult } from '../../contract/index.js';
import type { Bind, GlobalArgs, Run } from '../context.js';
import { keyValues, printJson } from '../output.js';

export const targetPrune: Run<GlobalArgs & { name: string }> = async (args, ctx) => {
  const r = await ctx.client.post<RemotePruneResult>(
    `/v1/targets/${encodeURIComponent(args.name)}/prune`,
    {},
  );
  if (ctx.json) printJson(ctx.io.stdout, r);
  else {
    ctx.io.stdout.write(
      keyValues([
        ['target', r.target],
        ['retention', r.retention],
        ['deleted', `${r.deletedChains.length} chains (${r.deletedObjects} objects)`],
        ['kept', `${r.keptChains} chains`],
      ]),
    );
  }
  return 0;
};

export function registerTargetPrune(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'prune <name>',
    "delete this host's whole chains the target's retention no longer keeps",
    (b) => b.positional('name', { type: 'string', demandOption: true, describe: 'target name' }),
    bind<GlobalArgs & { name: string }>(targetPrune),
  );
}
