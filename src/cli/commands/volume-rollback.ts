/**
 * `virtpoint volume rollback --point ID [--no-wait]` (POST /v1/volume-rollbacks): writes a
 * detached volume's point back over the volume (atomically; refused while a domain uses it).
 */

import type { Argv } from 'yargs';

import type { JobView } from '../../contract/index.js';
import type { Bind, GlobalArgs, Run } from '../context.js';
import { printJson } from '../output.js';
import { followJob, jobFailure } from '../wait.js';

type Args = GlobalArgs & { point: string; wait: boolean };

export const volumeRollback: Run<Args> = async (args, ctx) => {
  const job = await ctx.client.post<JobView>('/v1/volume-rollbacks', { pointId: args.point });
  const final = args.wait
    ? await followJob(ctx, job.id, `rollback to point ${args.point} (job ${job.id})`)
    : job;
  if (ctx.json) printJson(ctx.io.stdout, final);
  if (args.wait && final.state !== 'succeeded') throw jobFailure(final);
  if (!ctx.json)
    ctx.io.stdout.write(
      args.wait
        ? `volume rolled back to point ${args.point}\n`
        : `queued rollback job ${job.id} (virtpoint job wait ${job.id})\n`,
    );
  return 0;
};

export function registerVolumeRollback(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'rollback',
    'write a detached volume’s point back over the volume (refused while a domain uses it)',
    (b) =>
      b
        .option('point', { type: 'string', demandOption: true, describe: 'point id of a detached volume' })
        .option('wait', {
          type: 'boolean',
          default: true,
          describe: 'wait for the job (--no-wait to only queue it)',
        }),
    bind<Args>(volumeRollback),
  );
}
