/**
 * `virtpoint domain create --point ID --as NAME (--dir DIR | --pool POOL) [--linked] [--start]`
 * (POST /v1/domains): a new domain from the XML the point recorded, with its disks written as
 * new volumes (or, `--linked`, linked images on the point, which protect it). The original domain
 * is never touched. Waits for the `create-domain` job, then prints the new domain.
 */

import type { Argv } from 'yargs';

import type { DomainCreateInput, DomainCreateResult, JobView } from '../../contract/index.js';
import type { Bind, GlobalArgs, Run } from '../context.js';
import { keyValues, printJson } from '../output.js';
import { awaitJob } from '../wait.js';

type Args = GlobalArgs & {
  point: string;
  as: string;
  dir?: string;
  pool?: string;
  linked: boolean;
  start: boolean;
  wait: boolean;
};

export function renderDomainCreate(r: DomainCreateResult): string {
  const disks = r.disks.map((d) => `${d.target} → ${d.path}${d.image !== null ? ' (linked)' : ''}`);
  return (
    keyValues([
      ['domain', `${r.name} (${r.uuid})`],
      ['disks', disks.join(', ')],
      ['left out', r.leftOut.length > 0 ? r.leftOut.join(', ') : '-'],
      ['started', r.started ? 'yes' : 'no'],
    ]) + r.warnings.map((w) => `warning: ${w}\n`).join('')
  );
}

export const domainCreate: Run<Args> = async (args, ctx) => {
  const input: DomainCreateInput = {
    point: args.point,
    as: args.as,
    ...(args.dir === undefined ? {} : { dir: args.dir }),
    ...(args.pool === undefined ? {} : { pool: args.pool }),
    ...(args.linked ? { linked: true } : {}),
    ...(args.start ? { start: true } : {}),
  };
  const job = await ctx.client.post<JobView>('/v1/domains', input);
  const final = await awaitJob(ctx, job, args.wait, `domain ${args.as}`);
  if (final === null) return 0;
  const r = final.result as DomainCreateResult;
  if (ctx.json) printJson(ctx.io.stdout, r);
  else ctx.io.stdout.write(renderDomainCreate(r));
  return 0;
};

export function registerDomainCreate(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'create',
    'define a new domain from a point (new name, UUID, MACs and disks)',
    (b) =>
      b
        .option('point', { type: 'string', demandOption: true, describe: 'point id' })
        .option('as', { type: 'string', demandOption: true, describe: 'name of the new domain' })
        .option('dir', { type: 'string', describe: 'write the disks into this allowed volume directory' })
        .option('pool', { type: 'string', describe: 'write the disks into this libvirt storage pool' })
        .option('linked', {
          type: 'boolean',
          default: false,
          describe: 'thin overlays on the point (linked images; instant; protect the point)',
        })
        .option('start', { type: 'boolean', default: false, describe: 'start the new domain' })
        .option('wait', {
          type: 'boolean',
          default: true,
          describe: 'wait for the job (--no-wait to only queue it)',
        }),
    bind<Args>(domainCreate),
  );
}
