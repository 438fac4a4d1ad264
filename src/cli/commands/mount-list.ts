/** `virtpoint mount list` (GET /v1/mounts): the mounts and NBD exports of points. */

import type { Argv } from 'yargs';

import type { MountView } from '../../contract/index.js';
import type { Bind, GlobalArgs, Run } from '../context.js';
import { printJson, table } from '../output.js';
import { MOUNT_COLUMNS } from '../render-mount.js';

export const mountList: Run<GlobalArgs> = async (_args, ctx) => {
  const mounts = await ctx.client.get<MountView[]>('/v1/mounts');
  if (ctx.json) printJson(ctx.io.stdout, mounts);
  else if (mounts.length === 0) ctx.io.stdout.write('no mounts (virtpoint point mount --help)\n');
  else ctx.io.stdout.write(table(mounts, MOUNT_COLUMNS));
  return 0;
};

export function registerMountList(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command('list', 'list mounts and exports of points', (b) => b, bind<GlobalArgs>(mountList));
}
