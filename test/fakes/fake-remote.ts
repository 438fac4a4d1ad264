import type {
  JobView,
  RemoteListFilter,
  RemoteListResult,
  RemotePruneResult,
  RemoteRestoreInput,
  RemoteVerifyResult,
} from '../../src/contract/index.js';
import type { RemoteApi } from '../../src/service/remote/api.js';

/** The remote API in memory: `list`/`verify` answer what a test set; every call recorded. */
export class FakeRemote implements RemoteApi {
  listResult: RemoteListResult = { target: 'off', points: [], unreadable: [] };
  verifyResult: RemoteVerifyResult = { target: 'off', ok: true, points: [] };

  constructor(
    private readonly enter: (method: string, ...args: unknown[]) => void,
    private readonly queue: (patch: Partial<JobView>) => JobView,
  ) {}

  list(target: string, filter?: RemoteListFilter): Promise<RemoteListResult> {
    this.enter('remote.list', target, filter);
    return Promise.resolve({ ...this.listResult, target });
  }

  verify(target: string, pointId?: string): Promise<RemoteVerifyResult> {
    this.enter('remote.verify', target, pointId);
    return Promise.resolve({ ...this.verifyResult, target });
  }

  startRestore(input: RemoteRestoreInput): Promise<JobView> {
    this.enter('remote.startRestore', input);
    return Promise.resolve(this.queue({ type: 'remote-restore', pointId: null }));
  }

  prune(target: string): Promise<RemotePruneResult> {
    this.enter('remote.prune', target);
    return Promise.resolve({
      target,
      retention: 'chains:1',
      deletedChains: [],
      deletedObjects: 0,
      keptChains: 1,
    });
  }
}
