/**
 * `virtpoint domain show REF`, `chain show ID`, `volume show ID`, `image show NAME`: one object
 * from the API (GET /v1/domains/{ref}, /v1/chains/{id}, /v1/volumes/{id}, /v1/images/{name}),
 * printed as `key  value` lines, or the view itself with --json.
 */

import type { Argv } from 'yargs';

import type { ChainView, DomainView, ImageView, VolumeView } from '../../contract/index.js';
import type { Bind, GlobalArgs, Run } from '../context.js';
import { checkRef, type RefKind } from '../validate.js';
import { keyValues, printJson, type Column } from '../output.js';
import { CHAIN_COLUMNS, DOMAIN_COLUMNS } from '../render.js';
import { renderImage, renderVolume } from '../render-restore.js';

type Args = GlobalArgs & { ref: string };

interface ShowSpec<T> {
  readonly what: string;
  /** The form the API accepts (domains: any name or UUID). */
  readonly kind?: RefKind;
  readonly describe: string;
  readonly path: string;
  readonly render: (view: T) => string;
}

/** A table's columns as `key  value` lines of one row. */
export function columnPairs<T>(row: T, columns: readonly Column<T>[]): string {
  return keyValues(columns.map((c) => [c.header.toLowerCase(), c.value(row)] as const));
}

function registerShow<T>(spec: ShowSpec<T>) {
  const show: Run<Args> = async (args, ctx) => {
    const view = await ctx.client.get<T>(`${spec.path}/${encodeURIComponent(args.ref)}`);
    if (ctx.json) printJson(ctx.io.stdout, view);
    else ctx.io.stdout.write(spec.render(view));
    return 0;
  };
  return (y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> =>
    y.command(
      'show <ref>',
      spec.describe,
      (b) =>
        b.positional('ref', {
          type: 'string',
          demandOption: true,
          describe: spec.what,
          ...(spec.kind === undefined ? {} : { coerce: checkRef(spec.kind) }),
        }),
      bind<Args>(show),
    );
}

export const registerDomainShow = registerShow<DomainView>({
  what: 'domain name or UUID',
  describe: 'show one domain with its disks and backup summary',
  path: '/v1/domains',
  render: (d) => columnPairs(d, DOMAIN_COLUMNS),
});

export const registerChainShow = registerShow<ChainView>({
  what: 'chain id',
  kind: 'chain',
  describe: 'show one chain',
  path: '/v1/chains',
  render: (c) => columnPairs(c, CHAIN_COLUMNS),
});

export const registerVolumeShow = registerShow<VolumeView>({
  what: 'volume id or name',
  kind: 'volume',
  describe: 'show one volume made from a point',
  path: '/v1/volumes',
  render: renderVolume,
});

export const registerImageShow = registerShow<ImageView>({
  what: 'image name',
  kind: 'image',
  describe: 'show one image made from a point',
  path: '/v1/images',
  render: renderImage,
});
