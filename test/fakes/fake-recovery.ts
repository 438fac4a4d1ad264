import type { DoctorView, RebuildView, StoreStatusView } from '../../src/contract/index.js';
import type { RecoveryApi } from '../../src/service/recovery/api.js';

/** The recovery API in memory: an empty rebuild, a clean doctor, a store never scanned. */
export class FakeRecovery implements RecoveryApi {
  constructor(private readonly enter: (method: keyof RecoveryApi, ...args: unknown[]) => void) {}

  async rebuild(): Promise<RebuildView> {
    this.enter('rebuild');
    return { domains: 0, chains: 0, points: [], skipped: [] };
  }

  async doctor(): Promise<DoctorView> {
    this.enter('doctor');
    return {
      ok: true,
      catalog: { empty: false, backups: [] },
      store: { unknown: [], badManifests: [], missingManifests: [], leftovers: [] },
      checks: [],
    };
  }

  storeStatus(): StoreStatusView {
    return { unknownFiles: 0, badManifests: 0, missingManifests: 0, scannedAt: null };
  }
}
