/**
 * The catalog's files are private: `catalog.db`, `-wal` and `-shm` hold domain names, paths,
 * error texts and receiver URLs (which may carry credentials). The daemon's umask (077) makes new
 * ones 0600; this also narrows files from before (0644 under an older daemon or umask). SQLite
 * creates a later `-wal`/`-shm` with the mode of `catalog.db`, so they stay 0600 too.
 */
import { chmodSync, statSync } from 'node:fs';
import { VirtpointError } from '../../core/errors.js';

export const CATALOG_FILE_MODE = 0o600;

/** The database file and its WAL and shared-memory files. */
export const catalogFiles = (path: string): string[] => [path, `${path}-wal`, `${path}-shm`];

/** Sets 0600 on each catalog file that exists (not for `:memory:` or SQLite's temp databases). */
export function restrictCatalogFiles(path: string): void {
  if (path === '' || path === ':memory:' || path.startsWith('file:')) return;
  for (const file of catalogFiles(path)) {
    let mode: number;
    try {
      mode = statSync(file).mode & 0o7777;
    } catch {
      continue; // not there (yet): -wal and -shm exist only while a connection is open
    }
    if (mode === CATALOG_FILE_MODE) continue;
    try {
      chmodSync(file, CATALOG_FILE_MODE);
    } catch (e) {
      throw new VirtpointError(
        'PERMISSION_DENIED',
        `catalog: cannot make ${file} private (chmod 0600): ${(e as Error).message}; fix its owner or run the daemon as root`,
        { cause: e, details: { file, mode: mode.toString(8) } },
      );
    }
  }
}
