import { VirtpointError } from '../../core/errors.js';
import {
  planRebuild,
  rebuildCatalog,
  storeHasManifests,
  type RebuildDeps,
  type RebuildReport,
} from './rebuild.js';

/**
 * The check on start, before the reconciliation (docs/recovery.md): a catalog that is empty
 * (new, emptied, or unreadable and recreated) while the store holds usable point manifests means
 * the catalog was lost, not that the store is garbage. The daemon then refuses to start, naming
 * the way out, unless it was started with `--rebuild-catalog`: then the catalog is rebuilt from
 * the manifests first. Manifests that would rebuild nothing (their files are gone, or they are
 * bad) do not block the start: they are logged, and `virtpoint doctor` lists them. Returns the
 * rebuild's report, or null when nothing was rebuilt.
 */
export async function checkCatalogOnStart(
  deps: RebuildDeps,
  opts: { rebuild: boolean; catalogPath: string },
): Promise<RebuildReport | null> {
  const { catalog, fs, log, storeRoot } = deps;
  if (!catalog.recovery.isEmpty()) {
    if (opts.rebuild) log.warn({}, '--rebuild-catalog: the catalog is not empty; nothing rebuilt');
    return null;
  }
  if (!(await storeHasManifests(fs, storeRoot))) return null;
  if (opts.rebuild) return rebuildCatalog(deps);
  const plan = await planRebuild(fs, storeRoot, (deps.now ?? Date.now)());
  const points = plan.chains.reduce((n, c) => n + c.points.length, 0);
  if (points === 0) {
    log.warn(
      { skipped: plan.skipped.slice(0, 50) },
      'the catalog is empty and no manifest in the store is usable (files missing or bad): starting; virtpoint doctor lists them',
    );
    return null;
  }
  throw new VirtpointError(
    'INVALID_STATE',
    `the catalog ${opts.catalogPath} is empty but the store ${storeRoot} holds the manifests of ` +
      `${points} point(s): the catalog was lost (nothing in the store was touched). Start ` +
      '`virtpointd --rebuild-catalog` once to rebuild it from the manifests (what `virtpoint ' +
      'catalog rebuild` does on a running daemon), or put back a copy from <state>/catalog-backups/ ' +
      '(docs/recovery.md)',
    { details: { points, skipped: plan.skipped.length } },
  );
}
