/**
 * `virtpoint point unmount DIR|SOCKET|ID` (DELETE /v1/mounts/{id}): undoes a mount or an export
 * (the mount is found by its directory, socket or id in GET /v1/mounts).
 */

import { resolve } from 'node:path';

import type { Argv } from 'yargs';

import { VirtpointError } from '../../core/errors.js';
import type { MountView } from '../../contract/index.js';
import type { Bind, GlobalArgs, Run } from '../context.js';
import { printJson } from '../output.js';

type Args = GlobalArgs & { where: string };

export const pointUnmount: Run<Args> = async (args, ctx) => {
  const all = await ctx.client.get<MountView[]>('/v1/mounts');
  const path = resolve(args.where).replace(/(.)\/$/, '$1');
  const m = all.find((x) => x.id === args.where || x.dir === path || x.socket === path);
  if (m === undefined) {
    throw new VirtpointError(
      'NOT_FOUND',
      `no mount or export of a point at ${args.where} (virtpoint mount list)`,
    );
  }
  const done = await ctx.client.delete<MountView>(`/v1/mounts/${encodeURIComponent(m.id)}`);
  if (ctx.json) printJson(ctx.io.stdout, done);
  else ctx.io.stdout.write(`unmounted ${m.dir ?? m.socket ?? m.id} (point ${m.pointId} disk ${m.disk})\n`);
  return 0;
};

export function registerPointUnmount(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'unmount <where>',
    'undo a mount or an export of a point',
    (b) =>
      b.positional('where', {
        type: 'string',
        demandOption: true,
        describe: 'mount directory, socket or mount id',
      }),
    bind<Args>(pointUnmount),
  );
}
