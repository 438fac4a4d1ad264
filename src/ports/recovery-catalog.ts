/**
 * The catalog's recovery side (`Catalog.recovery`, docs/recovery.md): consistent copies of the
 * database and the import of records rebuilt from the point manifests.
 */

import type { Chain, Domain, Point } from './catalog.js';

export interface ImportedChain {
  readonly chain: Chain;
  /** The chain's points, with their ids, states, times and disks as rebuilt. */
  readonly points: readonly Point[];
}

export interface RecoveryCatalog {
  /** True when the catalog holds no chain and no point. */
  isEmpty(): boolean;
  /**
   * Inserts domains, chains and points exactly as given (ids and times kept), in one
   * transaction. INVALID_STATE (nothing changes) unless the catalog is empty; ALREADY_EXISTS /
   * INVALID_ARGUMENT when the records collide or break a rule (one open chain per disk set, …).
   */
  importChains(domains: readonly Pick<Domain, 'uuid' | 'name'>[], chains: readonly ImportedChain[]): void;
  /**
   * A consistent copy of the whole database at `path` (SQLite's online backup), mode 0600. The
   * file must not exist; it is written beside as `<path>.virtpoint-tmp-…` and renamed.
   */
  backupTo(path: string): Promise<void>;
}
