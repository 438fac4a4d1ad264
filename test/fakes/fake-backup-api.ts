import type { BackupInput, JobView } from '../../src/contract/index.js';
import type { BackupApi } from '../../src/service/backup/api.js';
import type { FakeCatalogApi } from './fake-catalog-api.js';

/** The backup API in memory: an unknown domain is DOMAIN_NOT_FOUND; otherwise a queued backup job. */
export class FakeBackupApi implements BackupApi {
  constructor(
    private readonly enter: (method: string, ...args: unknown[]) => void,
    private readonly catalog: FakeCatalogApi,
  ) {}

  async startBackup(input: BackupInput): Promise<JobView> {
    this.enter('startBackup', input);
    const d = this.catalog.findDomain(input.domain);
    return this.catalog.queueJob({ domain: d.uuid, pointId: null });
  }
}
