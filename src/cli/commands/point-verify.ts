/**
 * `virtpoint point verify ID [--deep] [--no-wait]` (POST /v1/points/{id}/verify): checks every
 * file the point is read through (docs/verify.md). Exit 0 when all are ok, 1 when not (the point
 * and the later points of its chain are then corrupt); `--json` prints the result object.
 */

import type { Argv } from 'yargs';

import type { JobView, VerifyInput, VerifyResultView } from '../../contract/index.js';
import type { Bind, GlobalArgs, Run } from '../context.js';
import { printJson } from '../output.js';
import { renderVerify } from '../render-verify.js';
import { awaitJob } from '../wait.js';
import { pointIdOf } from '../point-ref.js';

type Args = GlobalArgs & { id: string; deep: boolean; wait: boolean };

export const pointVerify: Run<Args> = async (args, ctx) => {
  const input: VerifyInput = args.deep ? { deep: true } : {};
  const id = await pointIdOf(ctx, args.id);
  const job = await ctx.client.post<JobView>(`/v1/points/${encodeURIComponent(id)}/verify`, input);
  const final = await awaitJob(ctx, job, args.wait, `verify of point ${args.id}`);
  if (final === null) return 0;
  const result = final.result as VerifyResultView;
  if (ctx.json) printJson(ctx.io.stdout, result);
  else ctx.io.stdout.write(renderVerify(result));
  return result.ok ? 0 : 1;
};

export function registerPointVerify(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'verify <id>',
    'check that a point can be restored: its files and those it reads through',
    (b) =>
      b
        .positional('id', { type: 'string', demandOption: true, describe: 'point id' })
        .option('deep', {
          type: 'boolean',
          default: false,
          describe: 'also read every cluster of the flattened point (slow)',
        })
        .option('wait', { type: 'boolean', default: true, describe: 'wait for the job (--no-wait)' }),
    bind<Args>(pointVerify),
  );
}
