import type { BackupInput, JobView } from '../../contract/index.js';
import { jobView } from '../catalog/views.js';
import { submitBackup, type SubmitBackupDeps } from './submit.js';

/** The backup feature's API (docs/api.md "Backups"). */
export interface BackupApi {
  /** Checks (domain, disks, name, numbers: checkBackup) and queues a backup job; bad input throws, nothing is queued. */
  startBackup(input: BackupInput): Promise<JobView>;
}

export class BackupApiImpl implements BackupApi {
  constructor(private readonly deps: SubmitBackupDeps) {}

  async startBackup(input: BackupInput): Promise<JobView> {
    // A backup through the API is always manual: no owner is taken from the client.
    const req = { ...input, trigger: 'manual' as const, owner: null };
    const { domain } = await this.deps.backup.check(req);
    return jobView(submitBackup(this.deps, domain, req));
  }
}
