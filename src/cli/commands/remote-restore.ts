/**
 * `virtpoint remote restore NAME --point ID --as NEW_NAME (--dir DIR | --pool POOL) [--start]
 * [--keep-macs]` (POST /v1/remote-restores): the whole VM recreated on this host from a point on
 * a target (works with an empty catalog: only the target must be added). Waits for the
 * `remote-restore` job, then prints the new domain.
 */

import type { Argv } from 'yargs';

import type { JobView, RemoteRestoreInput, RemoteRestoreResult } from '../../contract/index.js';
import type { Bind, GlobalArgs, Run } from '../context.js';
import { keyValues, printJson } from '../output.js';
import { awaitJob } from '../wait.js';

type Args = GlobalArgs & {
  name: string;
  point: string;
  as: string;
  dir?: string;
  pool?: string;
  start: boolean;
  keepMacs: boolean;
  wait: boolean;
};

export const remoteRestore: Run<Args> = async (args, ctx) => {
  const input: RemoteRestoreInput = {
    target: args.name,
    point: args.point,
    as: args.as,
    ...(args.dir === undefined ? {} : { dir: args.dir }),
    ...(args.pool === undefined ? {} : { pool: args.pool }),
    ...(args.start ? { start: true } : {}),
    ...(args.keepMacs ? { keepMacs: true } : {}),
  };
  const job = await ctx.client.post<JobView>('/v1/remote-restores', input);
  const final = await awaitJob(ctx, job, args.wait, `domain ${args.as}`);
  if (final === null) return 0;
  const r = final.result as RemoteRestoreResult;
  if (ctx.json) printJson(ctx.io.stdout, r);
  else {
    ctx.io.stdout.write(
      keyValues([
        ['domain', `${r.name} (${r.uuid})`],
        ['from', `point ${r.pointId} on ${args.name}`],
        ['disks', r.disks.map((d) => `${d.target} → ${d.path}`).join(', ')],
        ['left out', r.leftOut.length > 0 ? r.leftOut.join(', ') : '-'],
        ['started', r.started ? 'yes' : 'no'],
      ]) + r.warnings.map((w) => `warning: ${w}\n`).join(''),
    );
  }
  return 0;
};

export function registerRemoteRestore(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'restore <name>',
    'recreate a VM on this host from a point on a target (new name, UUID, MACs)',
    (b) =>
      b
        .positional('name', { type: 'string', demandOption: true, describe: 'target name' })
        .option('point', { type: 'string', demandOption: true, describe: 'remote point id (remote list)' })
        .option('as', { type: 'string', demandOption: true, describe: 'name of the new domain' })
        .option('dir', { type: 'string', describe: 'write the disks into this allowed volume directory' })
        .option('pool', { type: 'string', describe: 'write the disks into this libvirt storage pool' })
        .option('start', { type: 'boolean', default: false, describe: 'start the new domain' })
        .option('keep-macs', { type: 'boolean', default: false, describe: "keep the point's MAC addresses" })
        .option('wait', {
          type: 'boolean',
          default: true,
          describe: 'wait for the job (--no-wait to only queue it)',
        }),
    bind<Args>(remoteRestore),
  );
}
