/**
 * `virtpoint backup DOMAIN [--disk vda]... [--full] [--name NAME] [--quiesce auto|required|off]
 * [--chain-length N] [--no-wait]` (POST /v1/backups); with `--volume POOL/VOL` or
 * `--volume-path FILE` instead of a domain, a detached volume's (volume-backup-create.ts). Waits by default, following the job's
 * events with progress, then prints the point; `--no-wait` prints the queued job. A point that
 * fell back to crash consistency (no agent, freeze failed; not `--quiesce off`) still exits 0,
 * with a `warning: …` line on stderr (stdout, `--json` included, is unchanged).
 */

import type { Argv } from 'yargs';

import { MAX_CHAIN_LENGTH, MIN_CHAIN_LENGTH, QUIESCE_MODES } from '../../core/limits.js';
import { VirtpointError } from '../../core/errors.js';
import type { Quiesce } from '../../contract/index.js';
import type { BackupInput, JobView, PointView } from '../../contract/index.js';
import type { Bind, GlobalArgs, Run } from '../context.js';
import { printJson } from '../output.js';
import { renderPoint } from '../render.js';
import { checkInt, toList } from '../validate.js';
import { followJob, jobFailure } from '../wait.js';
import { volumeBackupCreate } from './volume-backup-create.js';

type Args = GlobalArgs & {
  domain?: string;
  volume?: string;
  volumePath?: string;
  disk?: string[];
  full?: boolean;
  name?: string;
  quiesce?: Quiesce;
  chainLength?: number;
  wait: boolean;
};

export const backupCreate: Run<Args> = async (args, ctx) => {
  if (args.volume !== undefined || args.volumePath !== undefined) return volumeBackupCreate(args, ctx);
  if (args.domain === undefined)
    throw new VirtpointError('INVALID_ARGUMENT', 'name a domain, or --volume / --volume-path');
  const input: BackupInput = {
    domain: args.domain,
    ...(args.disk === undefined ? {} : { disks: args.disk }),
    ...(args.full === undefined ? {} : { full: args.full }),
    ...(args.name === undefined ? {} : { name: args.name }),
    ...(args.quiesce === undefined ? {} : { quiesce: args.quiesce }),
    ...(args.chainLength === undefined ? {} : { chainLength: args.chainLength }),
  };
  const job = await ctx.client.post<JobView>('/v1/backups', input);
  if (!args.wait) {
    if (ctx.json) printJson(ctx.io.stdout, job);
    else
      ctx.io.stdout.write(`queued backup job ${job.id} of ${args.domain} (virtpoint job wait ${job.id})\n`);
    return 0;
  }
  const final = await followJob(ctx, job.id, `backup of ${args.domain} (job ${job.id})`);
  if (final.state !== 'succeeded') {
    if (ctx.json) printJson(ctx.io.stdout, final);
    throw jobFailure(final);
  }
  if (final.pointId === null) {
    throw new VirtpointError('INTERNAL', `backup job ${final.id} succeeded without a point`);
  }
  const point = await ctx.client.get<PointView>(`/v1/points/${encodeURIComponent(final.pointId)}`);
  if (ctx.json) printJson(ctx.io.stdout, point);
  else ctx.io.stdout.write(renderPoint(point));
  if (point.consistency === 'crash' && args.quiesce !== 'off') {
    const why = point.consistencyReason ?? 'the guest filesystems were not frozen';
    ctx.io.stderr.write(`warning: point ${point.name} (${point.id}) is crash-consistent: ${why}\n`);
  }
  return 0;
};

export function registerBackupCreate(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'backup [domain]',
    'take a point of a domain or of a detached volume (waits for it unless --no-wait)',
    (b) =>
      b
        .positional('domain', { type: 'string', describe: 'domain name or UUID' })
        .option('volume', { type: 'string', describe: 'a detached libvirt storage volume POOL/VOL' })
        .option('volume-path', {
          type: 'string',
          describe: 'a detached qcow2/raw file under allowed_volume_dirs',
        })
        .option('disk', {
          type: 'string',
          describe: 'disk target to back up (repeatable; default: all)',
          coerce: toList,
        })
        .option('full', { type: 'boolean', describe: 'start a new chain with a full point' })
        .option('name', { type: 'string', describe: 'name of the point' })
        .option('quiesce', {
          choices: QUIESCE_MODES,
          describe: 'freeze the guest filesystems through the agent',
        })
        .option('chain-length', { type: 'number', describe: 'points per chain before a new full (1-30)' })
        .option('wait', {
          type: 'boolean',
          default: true,
          describe: 'wait for the job (--no-wait to only queue it)',
        })
        .check((a) => {
          const volumes = [a.volume, a['volume-path']].filter((v) => v !== undefined).length;
          if (volumes + (a.domain === undefined ? 0 : 1) !== 1)
            throw new Error('name exactly one of: a domain, --volume POOL/VOL, --volume-path FILE');
          if (volumes > 0 && (a.disk !== undefined || a.quiesce !== undefined))
            throw new Error(
              '--disk and --quiesce are for domains (a detached volume has one disk and no guest)',
            );
          checkInt('--chain-length', a['chain-length'], MIN_CHAIN_LENGTH, MAX_CHAIN_LENGTH);
          if (a.name !== undefined && a.name.trim() === '') throw new Error('--name must not be empty');
          if (a.disk !== undefined && a.disk.some((d) => d === '')) throw new Error('--disk needs a target');
          return true;
        }),
    bind<Args>(backupCreate),
  );
}
