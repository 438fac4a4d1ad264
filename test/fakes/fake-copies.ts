import type {
  CopyInput,
  JobView,
  TargetAddInput,
  TargetTestView,
  TargetView,
} from '../../src/contract/index.js';
import { VirtpointError } from '../../src/core/errors.js';
import type { CopiesApi } from '../../src/service/copies/api.js';

/** The copies API in memory: targets by name, every call recorded through `enter`. */
export class FakeCopies implements CopiesApi {
  readonly targets = new Map<string, TargetView>();

  constructor(
    private readonly enter: (method: string, ...args: unknown[]) => void,
    private readonly queue?: (patch: Partial<JobView>) => JobView,
  ) {}

  async copyPoint(pointId: string, input: CopyInput): Promise<JobView> {
    this.enter('copyPoint', pointId, input);
    if (this.queue === undefined) throw new VirtpointError('UNSUPPORTED', 'no queue');
    return this.queue({ type: 'copy', pointId });
  }

  async copyChain(chainId: string, input: CopyInput): Promise<JobView> {
    this.enter('copyChain', chainId, input);
    if (this.queue === undefined) throw new VirtpointError('UNSUPPORTED', 'no queue');
    return this.queue({ type: 'copy', pointId: null });
  }

  async addTarget(input: TargetAddInput): Promise<TargetView> {
    this.enter('addTarget', input);
    if (this.targets.has(input.name))
      throw new VirtpointError('ALREADY_EXISTS', `target ${input.name} exists`);
    const view: TargetView = {
      id: `t${this.targets.size + 1}`.padEnd(12, '0'),
      name: input.name,
      kind: input.s3 !== undefined ? 's3' : 'ssh',
      location:
        input.s3 !== undefined ? `s3://${input.s3.bucket} at ${input.s3.url}` : `ssh://${input.ssh!.url}`,
      s3: null,
      ssh: null,
      encryption:
        input.encryptKeyFile === undefined ? null : { cipher: 'aes-256-gcm', keyId: '0123456789abcdef' },
      bwlimit: null,
      retention: input.retention ?? 'forever',
      createdAt: '2026-01-01T00:00:00.000Z',
      copies: { copying: 0, copied: 0, failed: 0 },
    };
    this.targets.set(input.name, view);
    return view;
  }

  async listTargets(): Promise<TargetView[]> {
    this.enter('listTargets');
    return [...this.targets.values()];
  }

  async showTarget(name: string): Promise<TargetView> {
    this.enter('showTarget', name);
    const t = this.targets.get(name);
    if (t === undefined) throw new VirtpointError('TARGET_NOT_FOUND', `no target ${name}`);
    return t;
  }

  async removeTarget(name: string): Promise<void> {
    this.enter('removeTarget', name);
    if (!this.targets.delete(name)) throw new VirtpointError('TARGET_NOT_FOUND', `no target ${name}`);
  }

  async testTarget(name: string): Promise<TargetTestView> {
    this.enter('testTarget', name);
    if (!this.targets.has(name)) throw new VirtpointError('TARGET_NOT_FOUND', `no target ${name}`);
    return {
      target: name,
      key: 'probe/0123456789ab',
      bytes: 4 << 20,
      latencyMs: 2,
      writeMs: 40,
      readMs: 20,
      deleteMs: 3,
      writeBytesPerSecond: 104857600,
      readBytesPerSecond: 209715200,
    };
  }
}
