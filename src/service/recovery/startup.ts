import { VirtpointError } from '../../core/errors.js';
import { rebuildCatalog, storeHasManifests, type RebuildDeps, type RebuildReport } from './rebuild.js';

/**
 * The check on start, before the reconciliation (docs/recovery.md): a catalog that is empty
 * (new, emptied, or unreadable and recreated) while the store holds point manifests means the
 * catalog was lost, not that the store is garbage. The daemon then refuses to start, naming the
 * way out, unless it was started with `--rebuild-catalog`: then the catalog is rebuilt from the
 * manifests first. Returns the rebuild's report, or null when nothing was rebuilt.
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
  if (!opts.rebuild) {
    throw new VirtpointError(
      'INVALID_STATE',
      `the catalog ${opts.catalogPath} is empty but the store ${storeRoot} holds point manifests: ` +
        'the catalog was lost (nothing in the store was touched). Start `virtpointd --rebuild-catalog` ' +
        'once to rebuild it from the manifests (what `virtpoint catalog rebuild` does on a running ' +
        'daemon), or put back a copy from <state>/catalog-backups/ (docs/recovery.md)',
    );
  }
  return rebuildCatalog(deps);
}
