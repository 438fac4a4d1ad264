/**
 * `virtpoint volume create --point ID --disk vda --name NAME (--pool POOL | --dir DIR)
 * [--format qcow2|raw] [--from TARGET] [--no-wait]` (POST /v1/volumes). Waits for the `create-volume` job with
 * progress, then prints the volume (`--json`: the volume object). `--from`: the point is fetched
 * from that target (checked, decrypted) into a temporary directory, removed afterwards.
 */

import type { Argv } from 'yargs';

import type { JobView, VolumeCreateInput, VolumeView } from '../../contract/index.js';
import type { Bind, GlobalArgs, Run } from '../context.js';
import { printJson } from '../output.js';
import { renderVolume } from '../render-restore.js';
import { awaitJob } from '../wait.js';
import { pointIdFrom } from '../point-ref.js';

type Args = GlobalArgs & {
  point: string;
  disk: string;
  name: string;
  pool?: string;
  dir?: string;
  format?: 'qcow2' | 'raw';
  from?: string;
  wait: boolean;
};

export const volumeCreate: Run<Args> = async (args, ctx) => {
  const input: VolumeCreateInput = {
    point: await pointIdFrom(ctx, args.point, args.from),
    disk: args.disk,
    name: args.name,
    ...(args.pool === undefined ? {} : { pool: args.pool }),
    ...(args.dir === undefined ? {} : { dir: args.dir }),
    ...(args.format === undefined ? {} : { format: args.format }),
    ...(args.from === undefined ? {} : { from: args.from }),
  };
  const job = await ctx.client.post<JobView>('/v1/volumes', input);
  const final = await awaitJob(ctx, job, args.wait, `volume ${args.name}`);
  if (final === null) return 0;
  const volume = final.result as VolumeView;
  if (ctx.json) printJson(ctx.io.stdout, volume);
  else ctx.io.stdout.write(renderVolume(volume));
  return 0;
};

export function registerVolumeCreate(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'create',
    'copy one disk of a point into a new, independent volume',
    (b) =>
      b
        .option('point', { type: 'string', demandOption: true, describe: 'point id or name' })
        .option('disk', { type: 'string', demandOption: true, describe: 'disk target of the point (vda)' })
        .option('name', { type: 'string', demandOption: true, describe: 'name of the volume (file name)' })
        .option('pool', { type: 'string', describe: 'libvirt storage pool to create it in' })
        .option('dir', { type: 'string', describe: 'directory listed in allowed_volume_dirs' })
        .option('format', { choices: ['qcow2', 'raw'] as const, describe: 'volume format (default qcow2)' })
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
        .conflicts('pool', 'dir')
        .check((a) => {
          if (a.pool === undefined && a.dir === undefined) throw new Error('give --pool POOL or --dir DIR');
          if (a.dir !== undefined && !a.dir.startsWith('/'))
            throw new Error('--dir must be an absolute path');
          return true;
        }),
    bind<Args>(volumeCreate),
  );
}
