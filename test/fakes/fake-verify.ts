import { VirtpointError } from '../../src/core/errors.js';
import type { JobView, PointView, VerifyInput } from '../../src/contract/index.js';
import type { VerifyApi } from '../../src/service/verify/api.js';

/** The verify API in memory: queues a `verify` job for a known point or chain. */
export class FakeVerify implements VerifyApi {
  constructor(
    private readonly deps: {
      enter: (method: string, ...args: unknown[]) => void;
      point: (id: string) => PointView;
      chainDomain: (id: string) => string;
      queue: (patch: Partial<JobView>) => JobView;
    },
  ) {}

  async verifyPoint(pointId: string, input: VerifyInput): Promise<JobView> {
    this.deps.enter('verifyPoint', pointId, input);
    const p = this.deps.point(pointId);
    return this.deps.queue({ type: 'verify', domain: p.domain, pointId: p.id });
  }

  async verifyChain(chainId: string, input: VerifyInput): Promise<JobView> {
    this.deps.enter('verifyChain', chainId, input);
    const domain = this.deps.chainDomain(chainId);
    if (domain === '') throw new VirtpointError('CHAIN_NOT_FOUND', `no chain ${chainId}`);
    return this.deps.queue({ type: 'verify', domain, pointId: null });
  }
}
