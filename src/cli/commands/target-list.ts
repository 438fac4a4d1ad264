/** `virtpoint target list` (GET /v1/targets) and `virtpoint target show NAME` (GET /v1/targets/{name}). */

import type { Argv } from 'yargs';

import type { TargetView } from '../../contract/index.js';
import type { Bind, GlobalArgs, Run } from '../context.js';
import { requiredRef } from '../validate.js';
import { printJson, table } from '../output.js';
import { renderTarget, TARGET_COLUMNS } from '../render-copies.js';

export const targetList: Run<GlobalArgs> = async (_args, ctx) => {
  const targets = await ctx.client.get<TargetView[]>('/v1/targets');
  if (ctx.json) printJson(ctx.io.stdout, targets);
  else if (targets.length === 0) ctx.io.stdout.write('no targets (virtpoint target add --help)\n');
  else ctx.io.stdout.write(table(targets, TARGET_COLUMNS));
  return 0;
};

export const targetShow: Run<GlobalArgs & { name: string }> = async (args, ctx) => {
  const target = await ctx.client.get<TargetView>(`/v1/targets/${encodeURIComponent(args.name)}`);
  if (ctx.json) printJson(ctx.io.stdout, target);
  else ctx.io.stdout.write(renderTarget(target));
  return 0;
};

export function registerTargetList(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command('list', 'list the off-host targets', (b) => b, bind<GlobalArgs>(targetList));
}

export function registerTargetShow(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'show <name>',
    'show a target (never its secrets)',
    (b) => b.positional('name', requiredRef('target', 'target name')),
    bind<GlobalArgs & { name: string }>(targetShow),
  );
}
