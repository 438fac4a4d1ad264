import { posix } from 'node:path';
import { toVirtpointError } from '../../core/errors.js';
import type { Catalog } from '../../ports/catalog.js';
import type { Fs } from '../../ports/fs.js';
import type { Logger } from '../../ports/logger.js';

/**
 * The catalog's own safety net (docs/recovery.md):
 * - `safeCheckpoint`: `wal_checkpoint(TRUNCATE)` after each job and at shutdown, so that
 *   `catalog.db` alone holds the catalog (a copy of it without the `-wal` file loses nothing);
 * - `CatalogBackups`: once a day a consistent copy (SQLite's online backup) into
 *   `<state>/catalog-backups/catalog-YYYY-MM-DD.db` (UTC date), files 0600, directory 0700, the
 *   newest 7 kept. Only files of exactly that name pattern are ever pruned.
 */

export const CATALOG_BACKUPS_KEPT = 7;
const NAME_RE = /^catalog-(\d{4}-\d{2}-\d{2})\.db$/;

/** Checkpoints the catalog; a failure is logged, never thrown (the data is safe in the WAL). */
export function safeCheckpoint(catalog: Pick<Catalog, 'checkpoint'>, log: Logger): void {
  try {
    catalog.checkpoint();
  } catch (e) {
    log.warn({ err: toVirtpointError(e).message }, 'catalog checkpoint failed');
  }
}

export interface CatalogBackupsDeps {
  readonly catalog: Pick<Catalog, 'recovery' | 'checkpoint'>;
  readonly fs: Fs;
  readonly log: Logger;
  /** `<state>/catalog-backups`. */
  readonly dir: string;
  readonly now: () => number;
  readonly keep?: number;
}

export class CatalogBackups {
  constructor(private readonly deps: CatalogBackupsDeps) {}

  /** Names of the kept copies, oldest first. */
  async list(): Promise<string[]> {
    return (await this.deps.fs.listDir(this.deps.dir)).filter((n) => NAME_RE.test(n)).sort();
  }

  /**
   * Checkpoints (writes outside jobs, e.g. a volume record removed, wait no longer than this),
   * makes today's copy if there is none yet, then prunes to the newest `keep`. Returns the new
   * file or null.
   */
  async runIfDue(): Promise<string | null> {
    const { fs, dir, log } = this.deps;
    safeCheckpoint(this.deps.catalog, log);
    const name = `catalog-${new Date(this.deps.now()).toISOString().slice(0, 10)}.db`;
    try {
      await fs.mkdir(dir, 0o700);
      await fs.chmod(dir, 0o700);
      const made = !(await fs.exists(posix.join(dir, name)));
      if (made) await this.deps.catalog.recovery.backupTo(posix.join(dir, name));
      const all = await this.list();
      for (const old of all.slice(0, Math.max(0, all.length - (this.deps.keep ?? CATALOG_BACKUPS_KEPT))))
        await fs.removeFile(posix.join(dir, old));
      if (made) log.info({ file: posix.join(dir, name) }, 'catalog backup written');
      return made ? name : null;
    } catch (e) {
      log.error({ dir, err: toVirtpointError(e).message }, 'catalog backup failed');
      return null;
    }
  }

  /** Runs now, then every `everyMs` (default 1 h: a new copy each new UTC day). Returns the stop function. */
  start(everyMs = 3_600_000): () => void {
    void this.runIfDue();
    const timer = setInterval(() => void this.runIfDue(), everyMs);
    timer.unref();
    return () => clearInterval(timer);
  }
}
