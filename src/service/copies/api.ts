/**
 * The copies feature's API (docs/copies.md): targets and copy jobs (copy-jobs.ts).
 */

import type { CopyInput, JobView, TargetAddInput, TargetTestView, TargetView } from '../../contract/index.js';
import { VirtpointError } from '../../core/errors.js';
import type { CopyJobs } from './copy-jobs.js';
import { probeTarget, type ProbeDeps } from './probe.js';
import type { TargetsService } from './targets.js';

export interface CopiesApi {
  addTarget(input: TargetAddInput): Promise<TargetView>;
  listTargets(): Promise<TargetView[]>;
  showTarget(name: string): Promise<TargetView>;
  removeTarget(name: string): Promise<void>;
  /** Writes, reads back and deletes a probe object (probe.ts). */
  testTarget(name: string): Promise<TargetTestView>;
  /** Queues a `copy` job of the point (and the ancestors it backs onto) to the target. */
  copyPoint(pointId: string, input: CopyInput): Promise<JobView>;
  /** Queues a `copy` job of every available point of the chain, oldest first. */
  copyChain(chainId: string, input: CopyInput): Promise<JobView>;
}

export class CopiesApiImpl implements CopiesApi {
  constructor(
    private readonly targets: TargetsService,
    private readonly probe: ProbeDeps | null = null,
    private readonly jobs: CopyJobs | null = null,
  ) {}

  private copyJobs(): CopyJobs {
    if (this.jobs === null) throw new VirtpointError('UNSUPPORTED', 'copy jobs are not wired');
    return this.jobs;
  }

  copyPoint(pointId: string, input: CopyInput): Promise<JobView> {
    return this.copyJobs().copyPoint(pointId, input.target);
  }

  copyChain(chainId: string, input: CopyInput): Promise<JobView> {
    return this.copyJobs().copyChain(chainId, input.target);
  }

  addTarget(input: TargetAddInput): Promise<TargetView> {
    return this.targets.add(input);
  }

  async listTargets(): Promise<TargetView[]> {
    return this.targets.list();
  }

  async showTarget(name: string): Promise<TargetView> {
    return this.targets.show(name);
  }

  removeTarget(name: string): Promise<void> {
    return this.targets.remove(name);
  }

  testTarget(name: string): Promise<TargetTestView> {
    if (this.probe === null)
      return Promise.reject(new VirtpointError('UNSUPPORTED', 'target test is not wired'));
    return probeTarget(this.probe, name);
  }
}
