/**
 * `virtpoint backup --volume POOL/VOL | --volume-path FILE [--full] [--name NAME]
 * [--chain-length N] [--no-wait]` (POST /v1/volume-backups): a detached volume's point. Called
 * by `backup` (backup-create.ts) when one of the two is given; waits like a domain's backup.
 */

import { VirtpointError } from '../../core/errors.js';
import type { JobView, PointView, VolumeBackupInput } from '../../contract/index.js';
import type { Ctx } from '../context.js';
import { printJson } from '../output.js';
import { renderPoint } from '../render.js';
import { followJob, jobFailure } from '../wait.js';

export interface VolumeBackupArgs {
  readonly volume?: string;
  readonly volumePath?: string;
  readonly full?: boolean;
  readonly name?: string;
  readonly chainLength?: number;
  readonly wait: boolean;
}

export async function volumeBackupCreate(args: VolumeBackupArgs, ctx: Ctx): Promise<number> {
  const input: VolumeBackupInput = {
    ...(args.volume === undefined ? {} : { volume: args.volume }),
    ...(args.volumePath === undefined ? {} : { volumePath: args.volumePath }),
    ...(args.full === undefined ? {} : { full: args.full }),
    ...(args.name === undefined ? {} : { name: args.name }),
    ...(args.chainLength === undefined ? {} : { chainLength: args.chainLength }),
  };
  const what = `volume ${args.volume ?? args.volumePath ?? ''}`;
  const job = await ctx.client.post<JobView>('/v1/volume-backups', input);
  if (!args.wait) {
    if (ctx.json) printJson(ctx.io.stdout, job);
    else ctx.io.stdout.write(`queued backup job ${job.id} of ${what} (virtpoint job wait ${job.id})\n`);
    return 0;
  }
  const final = await followJob(ctx, job.id, `backup of ${what} (job ${job.id})`);
  if (final.state !== 'succeeded') {
    if (ctx.json) printJson(ctx.io.stdout, final);
    throw jobFailure(final);
  }
  if (final.pointId === null)
    throw new VirtpointError('INTERNAL', `backup job ${final.id} succeeded without a point`);
  const point = await ctx.client.get<PointView>(`/v1/points/${encodeURIComponent(final.pointId)}`);
  if (ctx.json) printJson(ctx.io.stdout, point);
  else ctx.io.stdout.write(renderPoint(point));
  return 0;
}
