/**
 * The routes of the v1 API (docs/api.md): each one parses its input, calls Control once and
 * says what to answer. Errors are thrown as they come; the server maps them in one place.
 */

import type { Control } from '../../service/control.js';
import type { IncomingMessage, ServerResponse } from 'node:http';

import type { Logger } from '../../ports/logger.js';
import { streamJobEvents } from '../events.js';
import { addRecoveryRoutes } from './recovery.js';
import { addRestoreRoutes } from './restore.js';
import { addSchedulingRoutes } from './scheduling.js';
import type { Headers } from '../respond.js';
import { Router, type PathParams } from '../router.js';
import {
  domainRef,
  expectNoQuery,
  id,
  parseBackupInput,
  parseCascade,
  parseDeleteJobsQuery,
  parseDomainFilter,
  parseJobFilter,
  parsePointFilter,
} from './parse.js';

export interface RouteContext {
  readonly control: Control;
  readonly params: PathParams;
  readonly query: URLSearchParams;
  /** The parsed JSON body; undefined when there was none. */
  readonly body: unknown;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly log: Logger;
  readonly now: () => number;
  /** Streams register an `end` function so a shutdown can close them. */
  readonly trackStream: (end: () => void) => () => void;
}

/** A JSON answer, or `streamed` when the handler wrote the response itself. */
export type RouteResult =
  { readonly status: number; readonly body?: unknown; readonly headers?: Headers } | 'streamed';

export interface RouteSpec {
  /** Whether the route reads a JSON body; the others take none (or `{}`). */
  readonly body: boolean;
  readonly handle: (ctx: RouteContext) => Promise<RouteResult>;
}

const ok = (body: unknown) => ({ status: 200, body });
const accepted = (body: unknown) => ({ status: 202, body });
const get = (handle: RouteSpec['handle']): RouteSpec => ({ body: false, handle });

export function buildRouter(): Router<RouteSpec> {
  return addRecoveryRoutes(addRestoreRoutes(addSchedulingRoutes(new Router<RouteSpec>())))
    .add(
      'GET',
      '/v1/status',
      get(async ({ control, query }) => {
        expectNoQuery(query);
        return ok(await control.status());
      }),
    )
    .add(
      'GET',
      '/v1/domains',
      get(async ({ control, query }) => {
        expectNoQuery(query);
        return ok(await control.listDomains());
      }),
    )
    .add(
      'GET',
      '/v1/domains/:ref',
      get(async ({ control, query, params }) => {
        expectNoQuery(query);
        return ok(await control.getDomain(domainRef(params.ref, 'domain')));
      }),
    )
    .add('POST', '/v1/backups', {
      body: true,
      handle: async ({ control, query, body }) => {
        expectNoQuery(query);
        const job = await control.startBackup(parseBackupInput(body));
        return { status: 202, body: job, headers: { location: `/v1/jobs/${job.id}` } };
      },
    })
    .add(
      'GET',
      '/v1/points',
      get(async ({ control, query }) => {
        const filter = parsePointFilter(query);
        const points = await control.listPoints(filter);
        const last = points.at(-1);
        if (points.length < filter.limit || last === undefined) return ok(points);
        // A full page: the next one starts after its last point (RFC 8288 link).
        const next = new URLSearchParams(query);
        next.set('after', last.id);
        return { status: 200, body: points, headers: { link: `</v1/points?${next}>; rel="next"` } };
      }),
    )
    .add(
      'GET',
      '/v1/points/:id',
      get(async ({ control, query, params }) => {
        expectNoQuery(query);
        return ok(await control.getPoint(id(params.id, 'point id')));
      }),
    )
    .add(
      'DELETE',
      '/v1/points/:id',
      get(async ({ control, query, params }) => {
        const pointId = id(params.id, 'point id');
        const cascade = parseCascade(query);
        return accepted(await control.deletePoint(pointId, { cascade }));
      }),
    )
    .add(
      'GET',
      '/v1/chains',
      get(async ({ control, query }) => ok(await control.listChains(parseDomainFilter(query)))),
    )
    .add(
      'GET',
      '/v1/chains/:id',
      get(async ({ control, query, params }) => {
        expectNoQuery(query);
        return ok(await control.getChain(id(params.id, 'chain id')));
      }),
    )
    .add(
      'DELETE',
      '/v1/chains/:id',
      get(async ({ control, query, params }) => {
        expectNoQuery(query);
        return accepted(await control.deleteChain(id(params.id, 'chain id')));
      }),
    )
    .add(
      'GET',
      '/v1/jobs',
      get(async ({ control, query, now }) => ok(await control.listJobs(parseJobFilter(query, now())))),
    )
    .add(
      'DELETE',
      '/v1/jobs',
      get(async ({ control, query }) => {
        parseDeleteJobsQuery(query);
        return ok({ deleted: await control.deleteFailedJobs() });
      }),
    )
    .add(
      'GET',
      '/v1/jobs/:id',
      get(async ({ control, query, params }) => {
        expectNoQuery(query);
        return ok(await control.getJob(id(params.id, 'job id')));
      }),
    )
    .add(
      'DELETE',
      '/v1/jobs/:id',
      get(async ({ control, query, params }) => {
        expectNoQuery(query);
        await control.deleteJob(id(params.id, 'job id'));
        return { status: 204 };
      }),
    )
    .add(
      'POST',
      '/v1/jobs/:id/cancel',
      get(async ({ control, query, params }) => {
        expectNoQuery(query);
        return ok(await control.cancelJob(id(params.id, 'job id')));
      }),
    )
    .add(
      'GET',
      '/v1/jobs/:id/events',
      get(async (ctx) => {
        expectNoQuery(ctx.query);
        await streamJobEvents(ctx, id(ctx.params.id, 'job id'));
        return 'streamed';
      }),
    )
    .add(
      'GET',
      '/v1/usage',
      get(async ({ control, query }) => ok(await control.usage(parseDomainFilter(query)))),
    );
}
