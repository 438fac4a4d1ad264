/**
 * The copies feature's API (docs/copies.md): targets today; copy jobs and remote restore are
 * added here as they land.
 */

import type { TargetAddInput, TargetTestView, TargetView } from '../../contract/index.js';
import { VirtpointError } from '../../core/errors.js';
import { probeTarget, type ProbeDeps } from './probe.js';
import type { TargetsService } from './targets.js';

export interface CopiesApi {
  addTarget(input: TargetAddInput): Promise<TargetView>;
  listTargets(): Promise<TargetView[]>;
  showTarget(name: string): Promise<TargetView>;
  removeTarget(name: string): Promise<void>;
  /** Writes, reads back and deletes a probe object (probe.ts). */
  testTarget(name: string): Promise<TargetTestView>;
}

export class CopiesApiImpl implements CopiesApi {
  constructor(
    private readonly targets: TargetsService,
    private readonly probe: ProbeDeps | null = null,
  ) {}

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
