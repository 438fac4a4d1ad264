/**
 * `virtpoint point list [--domain D] [--chain C] [--state S] [--orphaned] [--since W] [--until ISO]
 * [--name TEXT] [--limit N]` (GET /v1/points, every page; --limit stops after N points).
 */

import type { Argv } from 'yargs';

import { POINT_STATES, type PointState } from '../../core/point-state.js';
import type { PointView, VolumeResourceView } from '../../contract/index.js';
import type { Bind, GlobalArgs, Run } from '../context.js';
import { printJson, tableOrHint } from '../output.js';
import { POINT_COLUMNS } from '../render.js';
import { checkInt, checkIso, checkSince, checkRef } from '../validate.js';

type Args = GlobalArgs & {
  domain?: string;
  volume?: string;
  chain?: string;
  state?: PointState;
  orphaned?: boolean;
  since?: string;
  until?: string;
  name?: string;
  limit?: number;
};

/** The API's page limit (api/routes/parse-catalog.ts POINT_PAGE_MAX): the CLI asks no more. */
const PAGE_MAX = 1000;

export const pointList: Run<Args> = async (args, ctx) => {
  // a detached volume's points carry its resource UUID where a domain's carry the domain's
  const volume =
    args.volume === undefined
      ? undefined
      : (await ctx.client.get<VolumeResourceView[]>('/v1/volume-resources', { volume: args.volume }))[0]
          ?.uuid;
  const query = {
    domain: volume ?? args.domain,
    chain: args.chain,
    state: args.state,
    orphaned: args.orphaned === true ? 'true' : undefined,
    since: args.since,
    until: args.until,
    name: args.name,
  };
  const points = await ctx.client.getAllPages<PointView>(
    '/v1/points',
    query,
    Math.min(args.limit ?? PAGE_MAX, PAGE_MAX),
    args.limit,
  );
  if (ctx.json) printJson(ctx.io.stdout, points);
  else
    ctx.io.stdout.write(
      tableOrHint(
        points,
        POINT_COLUMNS,
        'no points (virtpoint backup DOMAIN makes one; filters narrow the list)',
      ),
    );
  return 0;
};

export function registerPointList(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'list',
    'list points (oldest first)',
    (b) =>
      b
        .option('domain', { type: 'string', describe: 'domain name or UUID' })
        .option('volume', {
          type: 'string',
          describe: 'a detached volume backed up on its own (POOL/VOL or its path)',
          conflicts: 'domain',
        })
        .option('chain', { type: 'string', describe: 'chain id', coerce: checkRef('chain') })
        .option('state', { choices: POINT_STATES, describe: 'point state' })
        .option('orphaned', {
          type: 'boolean',
          describe: 'only points whose owning task is deleted (shown as "(deleted task NAME)")',
        })
        .option('since', { type: 'string', describe: 'made within 24h, 7d, 30d, or since an ISO 8601 time' })
        .option('until', { type: 'string', describe: 'made before this ISO 8601 time' })
        .option('name', { type: 'string', describe: 'names containing this text (case-insensitive)' })
        .option('limit', { type: 'number', describe: 'at most this many points' })
        .check((a) => {
          checkSince(a.since);
          checkIso('--until', a.until);
          checkInt('--limit', a.limit, 1, 1_000_000);
          if (a.name !== undefined && (a.name.length < 1 || a.name.length > 255)) {
            throw new Error('--name needs 1 to 255 characters');
          }
          return true;
        }),
    bind<Args>(pointList),
  );
}
