import type { CheckView, DoctorView, RebuildView, StoreStatusView } from '../../contract/index.js';
import type { CatalogBackups } from './catalog-backups.js';
import { rebuildCatalog, type RebuildDeps } from './rebuild.js';
import { scanStore, type ScanDeps, type StoreScan } from './store-scan.js';

/** The recovery feature as the API serves it: catalog rebuild, doctor, store counts for status. */
export interface RecoveryApi {
  /** INVALID_STATE when the catalog is not empty. */
  rebuild(): Promise<RebuildView>;
  doctor(): Promise<DoctorView>;
  storeStatus(): StoreStatusView;
}

export class RecoveryService implements RecoveryApi {
  private last: { scan: StoreScan; at: number } | null = null;

  constructor(
    private readonly deps: RebuildDeps &
      ScanDeps & {
        readonly backups?: CatalogBackups;
        /** The preflight checks (service/preflight/); none when absent. */
        readonly preflight?: () => Promise<readonly CheckView[]>;
      },
  ) {}

  /** The store scan of the reconciliation on start, for status. */
  recordScan(scan: StoreScan): void {
    this.last = { scan, at: (this.deps.now ?? Date.now)() };
  }

  async rebuild(): Promise<RebuildView> {
    return rebuildCatalog(this.deps);
  }

  async doctor(): Promise<DoctorView> {
    const scan = await scanStore(this.deps, { clean: false });
    this.recordScan(scan);
    const checks = (await this.deps.preflight?.()) ?? [];
    return {
      ok:
        scan.unknown.length + scan.badManifests.length + scan.missingManifests.length === 0 &&
        !checks.some((c) => c.status === 'fail'),
      checks,
      catalog: {
        empty: this.deps.catalog.recovery.isEmpty(),
        backups: (await this.deps.backups?.list()) ?? [],
      },
      store: {
        unknown: scan.unknown,
        badManifests: scan.badManifests,
        missingManifests: scan.missingManifests,
        leftovers: scan.leftovers,
      },
    };
  }

  storeStatus(): StoreStatusView {
    const s = this.last?.scan;
    return {
      unknownFiles: s?.unknown.length ?? 0,
      badManifests: s?.badManifests.length ?? 0,
      missingManifests: s?.missingManifests.length ?? 0,
      scannedAt: this.last === null ? null : new Date(this.last.at).toISOString(),
    };
  }
}
