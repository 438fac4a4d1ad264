/**
 * `virtpoint point show ID|NAME [--domain D] [--xml]` (GET /v1/points/{id or name}; --xml: GET
 * /v1/points/{id}/xml, the domain XML recorded at backup time).
 */

import type { Argv } from 'yargs';

import type { PointXmlView } from '../../contract/index.js';
import type { Bind, GlobalArgs, Run } from '../context.js';
import { printJson } from '../output.js';
import { renderPoint } from '../render.js';
import { getPointByRef } from '../point-ref.js';

type Args = GlobalArgs & { id: string; domain?: string; xml: boolean };

export const pointShow: Run<Args> = async (args, ctx) => {
  const point = await getPointByRef(ctx, args.id, args.domain);
  if (args.xml) {
    const v = await ctx.client.get<PointXmlView>(`/v1/points/${encodeURIComponent(point.id)}/xml`);
    ctx.io.stdout.write(
      ctx.json ? JSON.stringify(v, null, 2) + '\n' : v.xml.endsWith('\n') ? v.xml : v.xml + '\n',
    );
    return 0;
  }
  if (ctx.json) printJson(ctx.io.stdout, point);
  else ctx.io.stdout.write(renderPoint(point));
  return 0;
};

export function registerPointShow(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'show <id>',
    'show one point with its disks',
    (b) =>
      b
        .positional('id', { type: 'string', demandOption: true, describe: 'point id or name' })
        .option('domain', { type: 'string', describe: 'look the name up in this domain (name or UUID)' })
        .option('xml', {
          type: 'boolean',
          default: false,
          describe: 'print the domain XML recorded at backup time',
        }),
    bind<Args>(pointShow),
  );
}
