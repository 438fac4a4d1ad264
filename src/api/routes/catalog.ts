/**
 * The catalog routes of the v1 API (docs/api.md "Status", "Domains", "Points", "Chains", "Jobs",
 * "Usage"): each parses its input and calls the catalog feature's API once.
 */

import { streamJobEvents } from '../events.js';
import type { Router } from '../router.js';
import {
  accepted,
  noBody,
  noContent,
  ok,
  type RouteContext,
  type RouteResult,
  type RouteSpec,
} from './context.js';
import { domainRef, expectNoQuery, id, pointRef } from './parse.js';
import {
  parseCascade,
  parseDeleteErrorsQuery,
  parseDeleteJobsQuery,
  parseDomainFilter,
  parseJobFilter,
  parsePointFilter,
} from './parse-catalog.js';

export async function getStatus({ apis, query }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  return ok(await apis.catalog.status());
}

export async function listDomains({ apis, query }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  return ok(await apis.catalog.listDomains());
}

export async function getDomain({ apis, query, params }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  return ok(await apis.catalog.getDomain(domainRef(params.ref, 'domain')));
}

export async function listPoints({ apis, query }: RouteContext): Promise<RouteResult> {
  const filter = parsePointFilter(query);
  const points = await apis.catalog.listPoints(filter);
  const last = points.at(-1);
  if (points.length < filter.limit || last === undefined) return ok(points);
  // A full page: the next one starts after its last point (RFC 8288 link).
  const next = new URLSearchParams(query);
  next.set('after', last.id);
  return { status: 200, body: points, headers: { link: `</v1/points?${next}>; rel="next"` } };
}

/** GET /v1/points/{id or name}[?domain=D]: a name is looked up in D, else across domains. */
export async function getPoint({ apis, query, params }: RouteContext): Promise<RouteResult> {
  const scope = parseDomainFilter(query);
  return ok(await apis.catalog.getPoint(pointRef(params.id, 'point'), scope));
}

export async function deletePoint({ apis, query, params }: RouteContext): Promise<RouteResult> {
  const pointId = pointRef(params.id, 'point');
  const cascade = parseCascade(query);
  return accepted(await apis.catalog.deletePoint(pointId, { cascade }));
}

/** DELETE /v1/points?state=error[&domain=D]: the error points (and failed chains), one job per domain. */
export async function deleteErrorPoints({ apis, query }: RouteContext): Promise<RouteResult> {
  return accepted(await apis.catalog.deleteErrorPoints(parseDeleteErrorsQuery(query)));
}

export async function listChains({ apis, query }: RouteContext): Promise<RouteResult> {
  return ok(await apis.catalog.listChains(parseDomainFilter(query)));
}

export async function getChain({ apis, query, params }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  return ok(await apis.catalog.getChain(id(params.id, 'chain id')));
}

export async function deleteChain({ apis, query, params }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  return accepted(await apis.catalog.deleteChain(id(params.id, 'chain id')));
}

export async function listJobs({ apis, query, now }: RouteContext): Promise<RouteResult> {
  return ok(await apis.catalog.listJobs(parseJobFilter(query, now())));
}

export async function deleteFinishedJobs({ apis, query }: RouteContext): Promise<RouteResult> {
  return ok({ deleted: await apis.catalog.deleteJobs(parseDeleteJobsQuery(query)) });
}

export async function getJob({ apis, query, params }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  return ok(await apis.catalog.getJob(id(params.id, 'job id')));
}

export async function deleteJob({ apis, query, params }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  await apis.catalog.deleteJob(id(params.id, 'job id'));
  return noContent();
}

export async function cancelJob({ apis, query, params }: RouteContext): Promise<RouteResult> {
  expectNoQuery(query);
  return ok(await apis.catalog.cancelJob(id(params.id, 'job id')));
}

export async function jobEvents(ctx: RouteContext): Promise<RouteResult> {
  expectNoQuery(ctx.query);
  await streamJobEvents(ctx, id(ctx.params.id, 'job id'));
  return 'streamed';
}

export async function getUsage({ apis, query }: RouteContext): Promise<RouteResult> {
  return ok(await apis.catalog.usage(parseDomainFilter(query)));
}

export function addCatalogRoutes(router: Router<RouteSpec>): Router<RouteSpec> {
  return router
    .add('GET', '/v1/status', noBody(getStatus))
    .add('GET', '/v1/domains', noBody(listDomains))
    .add('GET', '/v1/domains/:ref', noBody(getDomain))
    .add('GET', '/v1/points', noBody(listPoints))
    .add('DELETE', '/v1/points', noBody(deleteErrorPoints))
    .add('GET', '/v1/points/:id', noBody(getPoint))
    .add('DELETE', '/v1/points/:id', noBody(deletePoint))
    .add('GET', '/v1/chains', noBody(listChains))
    .add('GET', '/v1/chains/:id', noBody(getChain))
    .add('DELETE', '/v1/chains/:id', noBody(deleteChain))
    .add('GET', '/v1/jobs', noBody(listJobs))
    .add('DELETE', '/v1/jobs', noBody(deleteFinishedJobs))
    .add('GET', '/v1/jobs/:id', noBody(getJob))
    .add('DELETE', '/v1/jobs/:id', noBody(deleteJob))
    .add('POST', '/v1/jobs/:id/cancel', noBody(cancelJob))
    .add('GET', '/v1/jobs/:id/events', noBody(jobEvents))
    .add('GET', '/v1/usage', noBody(getUsage));
}
