/** `virtpoint domain list`: the host's domains with their disks and backup summary (GET /v1/domains). */

import type { Argv } from 'yargs';

import type { DomainView } from '../../contract/index.js';
import type { Bind, GlobalArgs, Run } from '../context.js';
import { printJson, tableOrHint } from '../output.js';
import { DOMAIN_COLUMNS } from '../render.js';

export const domainList: Run<GlobalArgs> = async (_args, ctx) => {
  const domains = await ctx.client.get<DomainView[]>('/v1/domains');
  if (ctx.json) printJson(ctx.io.stdout, domains);
  else
    ctx.io.stdout.write(
      tableOrHint(
        domains,
        DOMAIN_COLUMNS,
        'no domains (libvirt defines none on this host: virsh list --all)',
      ),
    );
  return 0;
};

export function registerDomainList(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command('list', 'list the domains of the host', (b) => b, bind(domainList));
}
