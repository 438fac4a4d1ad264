/**
 * `virtpoint chain verify ID [--deep] [--no-wait]` (POST /v1/chains/{id}/verify): verifies every
 * available point of a chain, each file read once (docs/verify.md). Exit 0 when all are ok, 1
 * when not; `--json` prints the result object.
 */

import type { Argv } from 'yargs';

import type { ChainVerifyResultView, JobView, VerifyInput } from '../../contract/index.js';
import type { Bind, GlobalArgs, Run } from '../context.js';
import { requiredRef } from '../validate.js';
import { printJson } from '../output.js';
import { renderChainVerify } from '../render-verify.js';
import { awaitJob } from '../wait.js';

type Args = GlobalArgs & { id: string; deep: boolean; wait: boolean };

export const chainVerify: Run<Args> = async (args, ctx) => {
  const input: VerifyInput = args.deep ? { deep: true } : {};
  const job = await ctx.client.post<JobView>(`/v1/chains/${encodeURIComponent(args.id)}/verify`, input);
  const final = await awaitJob(ctx, job, args.wait, `verify of chain ${args.id}`);
  if (final === null) return 0;
  const result = final.result as ChainVerifyResultView;
  if (ctx.json) printJson(ctx.io.stdout, result);
  else ctx.io.stdout.write(renderChainVerify(result));
  return result.ok ? 0 : 1;
};

export function registerChainVerify(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'verify <id>',
    'check that every point of a chain can be restored',
    (b) =>
      b
        .positional('id', requiredRef('chain', 'chain id'))
        .option('deep', {
          type: 'boolean',
          default: false,
          describe: 'also read every cluster of each flattened point (slow)',
        })
        .option('wait', { type: 'boolean', default: true, describe: 'wait for the job (--no-wait)' }),
    bind<Args>(chainVerify),
  );
}
