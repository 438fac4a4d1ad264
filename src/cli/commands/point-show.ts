/** `virtpoint point show ID [--xml]` (GET /v1/points/{id}; --xml: GET /v1/points/{id}/xml, the recorded domain XML). */

import type { Argv } from 'yargs';

import type { PointView, PointXmlView } from '../../contract/index.js';
import type { Bind, GlobalArgs, Run } from '../context.js';
import { printJson } from '../output.js';
import { renderPoint } from '../render.js';

type Args = GlobalArgs & { id: string; xml: boolean };

export const pointShow: Run<Args> = async (args, ctx) => {
  if (args.xml) {
    const v = await ctx.client.get<PointXmlView>(`/v1/points/${encodeURIComponent(args.id)}/xml`);
    ctx.io.stdout.write(
      ctx.json ? JSON.stringify(v, null, 2) + '\n' : v.xml.endsWith('\n') ? v.xml : v.xml + '\n',
    );
    return 0;
  }
  const point = await ctx.client.get<PointView>(`/v1/points/${encodeURIComponent(args.id)}`);
  if (ctx.json) printJson(ctx.io.stdout, point);
  else ctx.io.stdout.write(renderPoint(point));
  return 0;
};

export function registerPointShow(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'show <id>',
    'show one point with its disks',
    (b) =>
      b.positional('id', { type: 'string', demandOption: true, describe: 'point id' }).option('xml', {
        type: 'boolean',
        default: false,
        describe: 'print the domain XML recorded at backup time',
      }),
    bind<Args>(pointShow),
  );
}
