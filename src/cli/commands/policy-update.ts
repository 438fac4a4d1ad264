/**
 * `virtpoint policy update NAME [--name NEW] [--weekly DAYS | --every-days N] [--at TIMES]`
 * (PATCH /v1/policies/{name}). A schedule flag alone keeps the rest of the current schedule.
 */

import type { Argv } from 'yargs';

import type { PolicyUpdateInput, PolicyView } from '../../contract/index.js';
import { UsageError, type Bind, type GlobalArgs, type Run } from '../context.js';
import { requiredRef } from '../validate.js';
import { printJson } from '../output.js';
import { renderPolicy, scheduleFromFlags } from '../render-scheduling.js';

type Args = GlobalArgs & { policy: string; name?: string; weekly?: string; everyDays?: number; at?: string };

export const policyUpdate: Run<Args> = async (args, ctx) => {
  const path = `/v1/policies/${encodeURIComponent(args.policy)}`;
  const patch: { -readonly [K in keyof PolicyUpdateInput]: PolicyUpdateInput[K] } = {};
  if (args.name !== undefined) patch.name = args.name;
  if (args.weekly !== undefined || args.everyDays !== undefined || args.at !== undefined) {
    const current = await ctx.client.get<PolicyView>(path);
    patch.schedule = scheduleFromFlags(args, current.schedule);
  }
  if (Object.keys(patch).length === 0) {
    throw new UsageError('nothing to change: pass --name, --weekly, --every-days or --at');
  }
  const policy = await ctx.client.patch<PolicyView>(path, patch);
  if (ctx.json) printJson(ctx.io.stdout, policy);
  else ctx.io.stdout.write(renderPolicy(policy));
  return 0;
};

export function registerPolicyUpdate(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'update <policy>',
    "change a policy's name or schedule (enable/disable: their own commands)",
    (b) =>
      b
        .positional('policy', requiredRef('policy', 'policy name'))
        .option('name', { type: 'string', describe: 'new name' })
        .option('weekly', { type: 'string', describe: 'days of the week: mon,tue,wed,thu,fri,sat,sun' })
        .option('every-days', { type: 'number', describe: 'every N days (1-30)' })
        .option('at', { type: 'string', describe: 'times of day HH:MM, comma-separated' }),
    bind<Args>(policyUpdate),
  );
}
