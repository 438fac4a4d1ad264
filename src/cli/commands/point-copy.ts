/**
 * `virtpoint point copy ID --to NAME [--no-wait]` (POST /v1/points/{id}/copy) and
 * `virtpoint chain copy ID --to NAME [--no-wait]` (POST /v1/chains/{id}/copy): upload a point
 * (with the ancestors it backs onto) or a whole chain to a target (docs/copies.md, "Copies").
 * Waits for the `copy` job like other job commands; `--json` prints the result object.
 */

import type { Argv } from 'yargs';

import type { CopyInput, CopyResultView, JobView } from '../../contract/index.js';
import type { Bind, Ctx, GlobalArgs, Run } from '../context.js';
import { humanSize, printJson } from '../output.js';
import { pointIdOf } from '../point-ref.js';
import { awaitJob } from '../wait.js';

type Args = GlobalArgs & { id: string; to: string; wait: boolean };

export function renderCopy(r: CopyResultView): string {
  const lines = r.points.map(
    (p) =>
      `point ${p.pointId} copied to ${r.target}: ${humanSize(p.bytes)} uploaded, ${p.skipped.length} file(s) already there`,
  );
  return `${lines.join('\n')}\n`;
}

async function run(ctx: Ctx, path: string, what: string, args: Args): Promise<number> {
  const input: CopyInput = { target: args.to };
  const job = await ctx.client.post<JobView>(path, input);
  const final = await awaitJob(ctx, job, args.wait, what);
  if (final === null) return 0;
  const result = final.result as CopyResultView;
  if (ctx.json) printJson(ctx.io.stdout, result);
  else ctx.io.stdout.write(renderCopy(result));
  return 0;
}

export const pointCopy: Run<Args> = async (args, ctx) => {
  const id = await pointIdOf(ctx, args.id);
  return run(ctx, `/v1/points/${encodeURIComponent(id)}/copy`, `copy of point ${args.id}`, args);
};

export const chainCopy: Run<Args> = async (args, ctx) =>
  run(ctx, `/v1/chains/${encodeURIComponent(args.id)}/copy`, `copy of chain ${args.id}`, args);

const options = (what: string) => (b: Argv<GlobalArgs>) =>
  b
    .positional('id', { type: 'string', demandOption: true, describe: `${what} id` })
    .option('to', { type: 'string', demandOption: true, describe: 'target name (see target list)' })
    .option('wait', { type: 'boolean', default: true, describe: 'wait for the job (--no-wait)' });

export function registerPointCopy(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'copy <id>',
    'upload a point (and the ancestors it backs onto) to a target',
    options('point'),
    bind<Args>(pointCopy),
  );
}

export function registerChainCopy(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'copy <id>',
    'upload every available point of a chain to a target, oldest first',
    options('chain'),
    bind<Args>(chainCopy),
  );
}
