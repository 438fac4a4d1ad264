/**
 * `virtpoint rollback DOMAIN --point ID [--disk vda]... [--map vda=vdb]... [--start|--no-start]
 * [--force] [--shutdown-timeout SECONDS] [--from TARGET] [--no-wait]` (POST /v1/domains/{ref}/rollback). Waits by
 * default, following the `rollback` job with progress, then prints what was restored; `--json`
 * prints the final job (its `result`: disks, checkpoints dropped, started). `--from`: the point
 * (of this domain, by its manifest's UUID) is fetched from that target and checked by its sha256.
 */

import type { Argv } from 'yargs';

import { DEFAULT_SHUTDOWN_TIMEOUT_MS, DISK_TARGET_RE, MAX_SHUTDOWN_TIMEOUT_MS } from '../../core/limits.js';
import type { JobView, RollbackInput } from '../../contract/index.js';
import type { RollbackResult } from '../../contract/index.js';
import type { Bind, GlobalArgs, Run } from '../context.js';
import { printJson } from '../output.js';
import { renderRollback } from '../render-restore.js';
import { checkInt, toList } from '../validate.js';
import { awaitJob } from '../wait.js';
import { pointIdFrom } from '../point-ref.js';

type Args = GlobalArgs & {
  domain: string;
  point: string;
  disk?: string[];
  map?: string[];
  start?: boolean;
  force?: boolean;
  shutdownTimeout?: number;
  from?: string;
  wait: boolean;
};

/** `--map vda=vdb` (repeatable) → { vda: 'vdb' }; throws a usage message on a bad entry. */
export function parseMap(entries: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of entries) {
    const m = /^([^=]+)=([^=]+)$/.exec(e);
    if (m === null || !DISK_TARGET_RE.test(m[1] ?? '') || !DISK_TARGET_RE.test(m[2] ?? '')) {
      throw new Error(`--map takes SOURCE=TARGET disk targets (like vda=vdb), got "${e}"`);
    }
    if ((m[1] ?? '') in out) throw new Error(`--map names ${m[1]} twice`);
    out[m[1] ?? ''] = m[2] ?? '';
  }
  return out;
}

export const rollback: Run<Args> = async (args, ctx) => {
  const input: Omit<RollbackInput, 'domain'> = {
    point: await pointIdFrom(ctx, args.point, args.from, args.domain),
    ...(args.disk === undefined ? {} : { disks: args.disk }),
    ...(args.map === undefined ? {} : { map: parseMap(args.map) }),
    ...(args.start === undefined ? {} : { start: args.start }),
    ...(args.force === undefined ? {} : { force: args.force }),
    ...(args.shutdownTimeout === undefined ? {} : { shutdownTimeout: args.shutdownTimeout }),
    ...(args.from === undefined ? {} : { from: args.from }),
  };
  const job = await ctx.client.post<JobView>(
    `/v1/domains/${encodeURIComponent(args.domain)}/rollback`,
    input,
  );
  const final = await awaitJob(ctx, job, args.wait, `rollback of ${args.domain}`);
  if (final === null) return 0;
  if (ctx.json) printJson(ctx.io.stdout, final);
  else ctx.io.stdout.write(renderRollback(args.domain, args.point, final.result as RollbackResult));
  return 0;
};

export function registerRollback(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'rollback <domain>',
    'put disks of a domain back to a point (shuts it down, restarts it if it ran)',
    (b) =>
      b
        .positional('domain', { type: 'string', demandOption: true, describe: 'domain name or UUID' })
        .option('point', {
          type: 'string',
          demandOption: true,
          describe: 'point id or name (of this domain)',
        })
        .option('disk', {
          type: 'string',
          describe: 'disk of the point to restore (repeatable; default: all)',
          coerce: toList,
        })
        .option('map', {
          type: 'string',
          describe: 'restore a point disk onto another disk of the domain: vda=vdb (repeatable)',
          coerce: toList,
        })
        .option('start', {
          type: 'boolean',
          describe: 'start the domain afterwards (--no-start: leave it off; default: if it ran)',
        })
        .option('force', { type: 'boolean', describe: 'destroy the domain if it does not shut down in time' })
        .option('shutdown-timeout', {
          type: 'number',
          describe: `seconds to wait for a graceful shutdown (0-${MAX_SHUTDOWN_TIMEOUT_MS / 1000}, default ${DEFAULT_SHUTDOWN_TIMEOUT_MS / 1000})`,
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
          checkInt('--shutdown-timeout', a['shutdown-timeout'], 0, MAX_SHUTDOWN_TIMEOUT_MS / 1000);
          if (a.point.trim() === '') throw new Error('--point needs a point id');
          if (a.disk !== undefined && a.disk.some((d) => d === '')) throw new Error('--disk needs a target');
          if (a.map !== undefined) parseMap(a.map);
          return true;
        }),
    bind<Args>(rollback),
  );
}
