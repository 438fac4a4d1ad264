/**
 * The domain-create feature's API: `createDomain` checks everything, then queues a
 * `create-domain` job (on the point's domain, so never beside a backup or delete of it);
 * `pointXml` answers the XML a point recorded.
 */

import type { DomainCreateInput, JobView, PointXmlView } from '../../contract/index.js';
import { jobView } from '../catalog/views.js';
import type { JobRunner } from '../jobs/runner.js';
import type { DomainCreateRequest, DomainCreateService } from './create.js';

export interface DomainCreateApi {
  createDomain(input: DomainCreateInput): Promise<JobView>;
  pointXml(pointId: string): Promise<PointXmlView>;
}

export class DomainCreateApiImpl implements DomainCreateApi {
  constructor(private readonly deps: { readonly runner: JobRunner; readonly service: DomainCreateService }) {}

  async createDomain(input: DomainCreateInput): Promise<JobView> {
    const req: DomainCreateRequest = {
      pointId: input.point,
      name: input.as,
      ...(input.dir === undefined ? {} : { dir: input.dir }),
      ...(input.pool === undefined ? {} : { pool: input.pool }),
      ...(input.linked === undefined ? {} : { linked: input.linked }),
      ...(input.start === undefined ? {} : { start: input.start }),
    };
    const { point } = await this.deps.service.check(req);
    const job = this.deps.runner.submit(
      { type: 'create-domain', trigger: 'manual', domainUuid: point.domainUuid, pointId: point.id },
      (ctx) => this.deps.service.create(req, { onProgress: ctx.progress, signal: ctx.signal }),
    );
    return jobView(job);
  }

  pointXml(pointId: string): Promise<PointXmlView> {
    return this.deps.service.pointXml(pointId);
  }
}
