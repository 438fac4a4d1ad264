/**
 * `virtpoint image create --point ID --disk vda --name NAME [--linked | --from TARGET] [--no-wait]`
 * (POST /v1/images). A full image is a flattened qcow2 copy; `--linked` a thin overlay on the
 * point's file (instant; the point is then protected until the image is deleted). Waits for the
 * `create-image` job, then prints the image (`--json`: the image object). `--from`: a full image
 * from a point on that target (fetched into a temporary directory, removed afterwards); never
 * linked (its backing files would be temporary).
 */

import type { Argv } from 'yargs';

import type { ImageCreateInput, ImageView, JobView } from '../../contract/index.js';
import type { Bind, GlobalArgs, Run } from '../context.js';
import { printJson } from '../output.js';
import { renderImage } from '../render-restore.js';
import { awaitJob } from '../wait.js';
import { pointIdFrom } from '../point-ref.js';

type Args = GlobalArgs & {
  point: string;
  disk: string;
  name: string;
  linked: boolean;
  from?: string;
  wait: boolean;
};

export const imageCreate: Run<Args> = async (args, ctx) => {
  const input: ImageCreateInput = {
    point: await pointIdFrom(ctx, args.point, args.from),
    disk: args.disk,
    name: args.name,
    ...(args.linked ? { linked: true } : {}),
    ...(args.from === undefined ? {} : { from: args.from }),
  };
  const job = await ctx.client.post<JobView>('/v1/images', input);
  const final = await awaitJob(ctx, job, args.wait, `image ${args.name}`);
  if (final === null) return 0;
  const image = final.result as ImageView;
  if (ctx.json) printJson(ctx.io.stdout, image);
  else ctx.io.stdout.write(renderImage(image));
  return 0;
};

export function registerImageCreate(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'create',
    'make an image in the image directory from one disk of a point',
    (b) =>
      b
        .option('point', { type: 'string', demandOption: true, describe: 'point id or name' })
        .option('disk', { type: 'string', demandOption: true, describe: 'disk target of the point (vda)' })
        .option('name', { type: 'string', demandOption: true, describe: 'name of the image (file name)' })
        .option('linked', {
          type: 'boolean',
          default: false,
          describe: 'a thin overlay on the point (instant; protects the point)',
        })
        .option('from', {
          type: 'string',
          describe:
            'the point is on this target (docs/copies.md "Restore from a target"); --point takes its id',
        })
        .option('wait', {
          type: 'boolean',
          default: true,
          describe: 'wait for the job (--no-wait to only queue it)',
        })
        .check((a) => {
          if (a.linked && a.from !== undefined)
            throw new Error('--linked cannot be used with --from: its backing files would be temporary');
          return true;
        }),
    bind<Args>(imageCreate),
  );
}
