/**
 * GET /v1/jobs/{id}/events: the job as NDJSON (`application/x-ndjson`), one JobView per line —
 * the current one first, then every change `CatalogApi.watchJob` reports — ending after the first
 * final state. The subscription ends when the job ends, when the client goes away, or at daemon
 * shutdown (the stream then just ends; the client can ask again).
 */

import { isJobFinal } from '../core/job-state.js';
import type { JobView } from '../contract/index.js';
import type { RouteContext } from './routes/context.js';

export const NDJSON = 'application/x-ndjson';

export async function streamJobEvents(ctx: RouteContext, jobId: string): Promise<void> {
  const { apis, res, log } = ctx;
  let started = false;
  let done = false;
  /** The newest update that came in before the current job was read. */
  let early: JobView | undefined;
  /** Set once subscribed / registered for shutdown; `finish` undoes both. */
  const hooks: { unsubscribe?: () => void; untrack?: () => void } = {};

  const finish = () => {
    if (done) return;
    done = true;
    try {
      hooks.unsubscribe?.();
    } catch (e) {
      log.warn({ err: e, jobId }, 'unsubscribing from job events failed');
    }
    hooks.untrack?.();
    if (!res.writableEnded && !res.destroyed) res.end();
  };

  const write = (job: JobView) => {
    if (done) return;
    if (res.destroyed || res.writableEnded) {
      finish();
      return;
    }
    res.write(JSON.stringify(job) + '\n');
    if (isJobFinal(job.state)) finish();
  };

  const onUpdate = (job: JobView) => {
    try {
      if (started) write(job);
      else early = job;
    } catch (e) {
      // A listener must never throw into the service that notifies it.
      log.warn({ err: e, jobId }, 'writing a job event failed');
      finish();
    }
  };

  // Subscribe before reading, so no change between the read and the subscription is lost.
  const unsubscribe = apis.catalog.watchJob(jobId, onUpdate);
  hooks.unsubscribe = unsubscribe;
  let current: JobView;
  try {
    current = await apis.catalog.getJob(jobId);
  } catch (e) {
    done = true;
    unsubscribe();
    throw e;
  }
  if (done) return;

  res.writeHead(200, { 'content-type': NDJSON, 'cache-control': 'no-store' });
  started = true;
  res.on('close', finish);
  hooks.untrack = ctx.trackStream(finish);
  write(current);
  // An update that raced with the read: send it only when it is not older than what was read.
  if (early !== undefined && (isJobFinal(early.state) || early.progress.done > current.progress.done)) {
    write(early);
  }
  if (res.destroyed) finish();
}
