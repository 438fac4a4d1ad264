/**
 * `virtpoint catalog rebuild` (POST /v1/catalog/rebuild): rebuilds an empty catalog from the point
 * manifests in the store (docs/recovery.md); INVALID_STATE when the catalog is not empty.
 */

import type { Argv } from 'yargs';

import type { RebuildView } from '../../contract/index.js';
import type { Bind, GlobalArgs, Run } from '../context.js';
import { printJson } from '../output.js';

export const catalogRebuild: Run<GlobalArgs> = async (_args, ctx) => {
  const r = await ctx.client.post<RebuildView>('/v1/catalog/rebuild');
  if (ctx.json) {
    printJson(ctx.io.stdout, r);
    return 0;
  }
  ctx.io.stdout.write(
    `rebuilt ${r.points.length} point(s) in ${r.chains} chain(s) of ${r.domains} domain(s) from the manifests\n`,
  );
  for (const s of r.skipped) ctx.io.stdout.write(`skipped ${s.path}: ${s.reason}\n`);
  return 0;
};

export function registerCatalogRebuild(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'rebuild',
    'rebuild an empty catalog from the point manifests in the store',
    (b) => b,
    bind(catalogRebuild),
  );
}
