/**
 * The copies feature's API (docs/copies.md): targets today; copy jobs and remote restore are
 * added here as they land.
 */

import type { TargetAddInput, TargetView } from '../../contract/index.js';
import type { TargetsService } from './targets.js';

export interface CopiesApi {
  addTarget(input: TargetAddInput): Promise<TargetView>;
  listTargets(): Promise<TargetView[]>;
  showTarget(name: string): Promise<TargetView>;
  removeTarget(name: string): Promise<void>;
}

export class CopiesApiImpl implements CopiesApi {
  constructor(private readonly targets: TargetsService) {}

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
}
