/**
 * `virtpoint point delete ID [--cascade] [--yes] [--no-wait]` (DELETE /v1/points/{id}). Deleting
 * the full point of a chain deletes the whole chain, and `--cascade` every later point: when more
 * than one point would go, `--yes` is required (exit 2 without it).
 * `virtpoint point delete --errors [--domain D] [--no-wait]` (DELETE /v1/points?state=error):
 * every error point (of D) and the failed chains that hold them, one delete job per domain.
 */

import type { Argv } from 'yargs';

import type { JobView, PointView } from '../../contract/index.js';
import { UsageError, type Bind, type GlobalArgs, type Run } from '../context.js';
import { printJson } from '../output.js';
import { followJob, jobFailure, settleJob } from '../wait.js';
import { checkPointRef } from '../point-ref.js';

type Args = GlobalArgs & {
  id?: string;
  cascade: boolean;
  yes: boolean;
  wait: boolean;
  errors: boolean;
  domain?: string;
};

/** The points a delete of `point` removes, as the points list tells. */
async function affectedPoints(
  ctx: Parameters<Run<Args>>[1],
  point: PointView,
  cascade: boolean,
): Promise<PointView[]> {
  if (point.kind !== 'full' && !cascade) return [point];
  const chain = await ctx.client.getAllPages<PointView>('/v1/points', { chain: point.chainId });
  const gone = point.kind === 'full' ? chain : chain.filter((p) => p.seq >= point.seq);
  return gone.some((p) => p.id === point.id) ? gone : [point, ...gone];
}

/** `--errors`: queues the jobs, then follows each (exit 1 if one did not succeed). */
const deleteErrors: Run<Args> = async (args, ctx) => {
  const res = await ctx.client.delete<{ points: string[]; jobs: JobView[] }>('/v1/points', {
    state: 'error',
    domain: args.domain,
  });
  if (!args.wait || res.jobs.length === 0) {
    if (ctx.json) printJson(ctx.io.stdout, res);
    else if (res.jobs.length === 0) ctx.io.stdout.write('no error points\n');
    else
      for (const j of res.jobs)
        ctx.io.stdout.write(`queued delete job ${j.id} (virtpoint job wait ${j.id})\n`);
    return 0;
  }
  const finals: JobView[] = [];
  for (const j of res.jobs) finals.push(await followJob(ctx, j.id));
  const deleted = finals.flatMap((j) => (j.result as { deleted?: string[] } | null)?.deleted ?? []);
  const kept = finals.flatMap((j) => (j.result as { kept?: string[] } | null)?.kept ?? []);
  if (ctx.json) printJson(ctx.io.stdout, { deleted, kept, jobs: finals });
  const bad = finals.find((j) => j.state !== 'succeeded');
  if (bad) throw jobFailure(bad);
  if (!ctx.json) {
    ctx.io.stdout.write(
      `deleted ${deleted.length} error point(s)${deleted.length ? `: ${deleted.join(', ')}` : ''}\n`,
    );
    if (kept.length > 0)
      ctx.io.stdout.write(
        `kept ${kept.length} (its checkpoint is still in libvirt or a later point may need its files): ${kept.join(', ')}\n`,
      );
  }
  return 0;
};

export const pointDelete: Run<Args> = async (args, ctx) => {
  if (args.errors) return deleteErrors(args, ctx);
  checkPointRef(args.id ?? '');
  const path = `/v1/points/${encodeURIComponent(args.id ?? '')}`;
  const point = await ctx.client.get<PointView>(path);
  const gone = await affectedPoints(ctx, point, args.cascade);
  if (gone.length > 1 && !args.yes) {
    const why =
      point.kind === 'full'
        ? `point ${point.id} is the full point of chain ${point.chainId}`
        : `--cascade deletes every later point of chain ${point.chainId}`;
    throw new UsageError(
      `${why}: ${gone.length} points would be deleted (${gone.map((p) => p.name).join(', ')}); ` +
        'pass --yes to confirm',
    );
  }
  const job = await ctx.client.delete<JobView>(path, { cascade: args.cascade ? 'true' : undefined });
  return settleJob(
    ctx,
    job,
    args.wait,
    () => `deleted ${gone.length} point(s): ${gone.map((p) => `${p.name} (${p.id})`).join(', ')}\n`,
  );
};

export function registerPointDelete(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'delete [id]',
    'delete a point (a full point takes its whole chain with it), or every error point with --errors',
    (b) =>
      b
        .positional('id', { type: 'string', describe: 'point id' })
        .option('errors', {
          type: 'boolean',
          default: false,
          describe: 'delete every error point (and the failed chains holding them)',
        })
        .option('domain', { type: 'string', describe: 'with --errors: only this domain (name or UUID)' })
        .option('cascade', { type: 'boolean', default: false, describe: 'also delete every later point' })
        .option('yes', { type: 'boolean', default: false, describe: 'confirm deleting more than one point' })
        .option('wait', { type: 'boolean', default: true, describe: 'wait for the delete job (--no-wait)' })
        .check((a) => {
          if (a.errors && a.id !== undefined) throw new Error('pass either a point id or --errors, not both');
          if (!a.errors && a.id === undefined) throw new Error('name a point id or pass --errors');
          if (!a.errors && a.domain !== undefined) throw new Error('--domain goes with --errors');
          if (a.errors && a.cascade) throw new Error('--cascade does not go with --errors');
          return true;
        }),
    bind<Args>(pointDelete),
  );
}
