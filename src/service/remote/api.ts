/**
 * The remote feature's API (docs/copies.md, "Restore from a target", "Remote retention"):
 * `list` and `verify` answer directly; `startRestore` checks the input, then queues a
 * `remote-restore` job (no local domain or point: it works on a fresh host); `prune` applies the
 * target's retention to this host's chains on it.
 */

import type {
  JobView,
  RemoteListFilter,
  RemoteListResult,
  RemotePruneResult,
  RemoteRestoreInput,
  RemoteVerifyResult,
} from '../../contract/index.js';
import { jobView } from '../catalog/views.js';
import type { JobRunner } from '../jobs/runner.js';
import type { RemoteService } from './remote.js';
import type { RemoteRestoreService } from './restore.js';
import type { RemoteRetentionService } from './retention.js';

export interface RemoteApi {
  list(target: string, filter?: RemoteListFilter): Promise<RemoteListResult>;
  verify(target: string, pointId?: string): Promise<RemoteVerifyResult>;
  startRestore(input: RemoteRestoreInput): Promise<JobView>;
  prune(target: string): Promise<RemotePruneResult>;
}

export interface RemoteApiDeps {
  readonly runner: JobRunner;
  readonly remote: RemoteService;
  readonly restore: RemoteRestoreService;
  readonly retention: RemoteRetentionService;
}

export class RemoteApiImpl implements RemoteApi {
  constructor(private readonly deps: RemoteApiDeps) {}

  list(target: string, filter: RemoteListFilter = {}): Promise<RemoteListResult> {
    return this.deps.remote.list(target, filter);
  }

  verify(target: string, pointId?: string): Promise<RemoteVerifyResult> {
    return this.deps.remote.verify(target, pointId);
  }

  async startRestore(input: RemoteRestoreInput): Promise<JobView> {
    const { restore, runner } = this.deps;
    await restore.checkInput(input);
    const job = runner.submit({ type: 'remote-restore', trigger: 'manual' }, (ctx) =>
      restore.restore(input, { onProgress: ctx.progress, signal: ctx.signal }),
    );
    return jobView(job);
  }

  prune(target: string): Promise<RemotePruneResult> {
    return this.deps.retention.prune(target);
  }
}
