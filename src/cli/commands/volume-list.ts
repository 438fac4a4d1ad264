/** `virtpoint volume list` (GET /v1/volumes): the volumes virtpoint made. */

import type { Argv } from 'yargs';

import type { VolumeView } from '../../contract/index.js';
import type { Bind, GlobalArgs, Run } from '../context.js';
import { printJson, table } from '../output.js';
import { VOLUME_COLUMNS } from '../render-restore.js';

export const volumeList: Run<GlobalArgs> = async (_args, ctx) => {
  const volumes = await ctx.client.get<VolumeView[]>('/v1/volumes');
  if (ctx.json) printJson(ctx.io.stdout, volumes);
  else if (volumes.length === 0) ctx.io.stdout.write('no volumes (virtpoint volume create --help)\n');
  else ctx.io.stdout.write(table(volumes, VOLUME_COLUMNS));
  return 0;
};

export function registerVolumeList(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command('list', 'list the volumes virtpoint made', (b) => b, bind<GlobalArgs>(volumeList));
}
