/** `virtpoint image list` (GET /v1/images). */

import type { Argv } from 'yargs';

import type { ImageView } from '../../contract/index.js';
import type { Bind, GlobalArgs, Run } from '../context.js';
import { printJson, table } from '../output.js';
import { IMAGE_COLUMNS } from '../render-restore.js';

export const imageList: Run<GlobalArgs> = async (_args, ctx) => {
  const images = await ctx.client.get<ImageView[]>('/v1/images');
  if (ctx.json) printJson(ctx.io.stdout, images);
  else if (images.length === 0) ctx.io.stdout.write('no images (virtpoint image create --help)\n');
  else ctx.io.stdout.write(table(images, IMAGE_COLUMNS));
  return 0;
};

export function registerImageList(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command('list', 'list images', (b) => b, bind<GlobalArgs>(imageList));
}
