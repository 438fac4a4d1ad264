/** `virtpoint usage [--domain D]`: chains, points and bytes per domain, and the volumes and images made from its points (GET /v1/usage). */

import type { Argv } from 'yargs';

import type { UsageView } from '../../contract/index.js';
import type { Bind, GlobalArgs, Run } from '../context.js';
import { humanSize, printJson, table } from '../output.js';

type Args = GlobalArgs & { domain?: string };

export const usageShow: Run<Args> = async (args, ctx) => {
  const rows = await ctx.client.get<UsageView[]>('/v1/usage', { domain: args.domain });
  if (ctx.json) printJson(ctx.io.stdout, rows);
  else
    ctx.io.stdout.write(
      table(rows, [
        { header: 'DOMAIN', value: (u) => u.domainName },
        { header: 'UUID', value: (u) => u.domain },
        { header: 'CHAINS', value: (u) => String(u.chains), align: 'right' },
        { header: 'POINTS', value: (u) => String(u.points), align: 'right' },
        { header: 'SIZE', value: (u) => humanSize(u.bytes), align: 'right' },
        { header: 'VOLUMES', value: (u) => String(u.volumes ?? 0), align: 'right' },
        { header: 'IMAGES', value: (u) => String(u.images ?? 0), align: 'right' },
      ]),
    );
  return 0;
};

export function registerUsageShow(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'usage',
    'show the space used per domain',
    (b) => b.option('domain', { type: 'string', describe: 'domain name or UUID' }),
    bind<Args>(usageShow),
  );
}
