/** `virtpoint domain list`: the host's domains with their disks and backup summary (GET /v1/domains). */

import type { Argv } from 'yargs';

import type { DomainView } from '../../contract/index.js';
import type { Bind, GlobalArgs, Run } from '../context.js';
import { humanSize, humanTime, orDash, printJson, table } from '../output.js';

export const domainList: Run<GlobalArgs> = async (_args, ctx) => {
  const domains = await ctx.client.get<DomainView[]>('/v1/domains');
  if (ctx.json) printJson(ctx.io.stdout, domains);
  else
    ctx.io.stdout.write(
      table(domains, [
        { header: 'NAME', value: (d) => d.name },
        { header: 'UUID', value: (d) => d.uuid },
        { header: 'STATE', value: (d) => d.state },
        { header: 'AGENT', value: (d) => (d.hasAgentChannel ? 'yes' : 'no') },
        { header: 'DISKS', value: (d) => orDash(d.disks.map((k) => k.target).join(',')) },
        { header: 'CHAINS', value: (d) => String(d.chains), align: 'right' },
        { header: 'POINTS', value: (d) => String(d.points), align: 'right' },
        { header: 'SIZE', value: (d) => humanSize(d.bytes), align: 'right' },
        {
          header: 'LAST POINT',
          value: (d) => (d.lastPoint === null ? '-' : humanTime(d.lastPoint.createdAt)),
        },
      ]),
    );
  return 0;
};

export function registerDomainList(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command('list', 'list the domains of the host', (b) => b, bind(domainList));
}
