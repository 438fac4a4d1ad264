/**
 * `virtpoint policy create NAME (--weekly mon,thu | --every-days N) --at 02:00[,14:00]
 * [--disabled]` (POST /v1/policies). Prints the policy with its next run.
 */

import type { Argv } from 'yargs';

import type { PolicyCreateInput, PolicyView } from '../../contract/index.js';
import type { Bind, GlobalArgs, Run } from '../context.js';
import { requiredRef } from '../validate.js';
import { printJson } from '../output.js';
import { renderPolicy, scheduleFromFlags } from '../render-scheduling.js';

type Args = GlobalArgs & {
  name: string;
  weekly?: string;
  everyDays?: number;
  at?: string;
  disabled: boolean;
};

export const policyCreate: Run<Args> = async (args, ctx) => {
  const input: PolicyCreateInput = {
    name: args.name,
    schedule: scheduleFromFlags(args),
    ...(args.disabled ? { enabled: false } : {}),
  };
  const policy = await ctx.client.post<PolicyView>('/v1/policies', input);
  if (ctx.json) printJson(ctx.io.stdout, policy);
  else ctx.io.stdout.write(renderPolicy(policy));
  return 0;
};

export function registerPolicyCreate(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'create <name>',
    'create a policy: when tasks run (host local time)',
    (b) =>
      b
        .positional('name', requiredRef('policy', 'policy name'))
        .option('weekly', { type: 'string', describe: 'days of the week: mon,tue,wed,thu,fri,sat,sun' })
        .option('every-days', {
          type: 'number',
          describe: 'every N days (1-30), on day 1, 1+N, … of each month',
        })
        .option('at', { type: 'string', describe: 'times of day HH:MM, comma-separated, ≥ 1 h apart (1-24)' })
        .option('disabled', { type: 'boolean', default: false, describe: 'create it disabled' })
        .check((a) => {
          scheduleFromFlags({ weekly: a.weekly, everyDays: a['every-days'], at: a.at });
          return true;
        }),
    bind<Args>(policyCreate),
  );
}
