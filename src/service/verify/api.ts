/**
 * The verify feature's API: `verify` jobs for a point or a chain. The point (or chain) is checked
 * before the job is queued (unknown → 404, busy → 409, nothing queued). The job carries the
 * domain, so the runner never runs it beside a backup, delete or restore of that domain: the
 * files it reads do not change under it. Its result is the VerifyResultView (or
 * ChainVerifyResultView); a verify that finds a problem still *succeeds* as a job — the
 * finding is the result (`ok: false`), the CLI exits 1.
 */

import type { FileFinding } from '../../core/verify.js';
import type {
  ChainVerifyResultView,
  FileFindingView,
  JobView,
  VerifyInput,
  VerifyResultView,
} from '../../contract/index.js';
import { VirtpointError } from '../../core/errors.js';
import { isValidId } from '../../core/names.js';
import type { Catalog } from '../../ports/catalog.js';
import { jobView } from '../catalog/views.js';
import type { JobRunner } from '../jobs/runner.js';
import { assertVerifiable, type VerifyResult, type VerifyService } from './verify.js';

export interface VerifyApi {
  verifyPoint(pointId: string, input: VerifyInput): Promise<JobView>;
  verifyChain(chainId: string, input: VerifyInput): Promise<JobView>;
}

export interface VerifyApiDeps {
  readonly catalog: Catalog;
  readonly runner: JobRunner;
  readonly verify: VerifyService;
}

export function findingView(f: FileFinding): FileFindingView {
  return {
    point: f.pointId,
    seq: f.seq,
    disk: f.target,
    file: f.path,
    verdict: f.verdict,
    detail: f.detail,
    ...(f.unchecked === undefined ? {} : { unchecked: f.unchecked }),
  };
}

export function verifyResultView(r: VerifyResult): VerifyResultView {
  return {
    point: r.pointId,
    ok: r.ok,
    deep: r.deep,
    summary: r.summary,
    files: r.files.map(findingView),
    corrupt: r.corrupt,
  };
}

export class VerifyApiImpl implements VerifyApi {
  constructor(private readonly deps: VerifyApiDeps) {}

  async verifyPoint(pointId: string, input: VerifyInput): Promise<JobView> {
    const { catalog, runner, verify } = this.deps;
    const point = isValidId(pointId) ? catalog.getPoint(pointId) : null;
    if (point === null) throw new VirtpointError('POINT_NOT_FOUND', `no point ${pointId}`);
    assertVerifiable(point);
    const deep = input.deep === true;
    const job = runner.submit(
      { type: 'verify', trigger: 'manual', domainUuid: point.domainUuid, pointId: point.id },
      async (ctx) =>
        verifyResultView(
          await verify.verifyPoint(point.id, {
            deep,
            signal: ctx.signal,
            onProgress: (p) => ctx.progress(p),
          }),
        ),
    );
    return jobView(job);
  }

  async verifyChain(chainId: string, input: VerifyInput): Promise<JobView> {
    const { catalog, runner, verify } = this.deps;
    const chain = isValidId(chainId) ? catalog.getChain(chainId) : null;
    if (chain === null) throw new VirtpointError('CHAIN_NOT_FOUND', `no chain ${chainId}`);
    const deep = input.deep === true;
    const job = runner.submit(
      { type: 'verify', trigger: 'manual', domainUuid: chain.domainUuid },
      async (ctx): Promise<ChainVerifyResultView> => {
        const r = await verify.verifyChain(chain.id, {
          deep,
          signal: ctx.signal,
          onProgress: (p) => ctx.progress(p),
        });
        return {
          chain: r.chainId,
          ok: r.ok,
          summary: r.summary,
          points: r.points.map(verifyResultView),
          corrupt: r.corrupt,
        };
      },
    );
    return jobView(job);
  }
}
