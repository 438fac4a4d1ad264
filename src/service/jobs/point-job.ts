import type { Catalog } from '../../ports/catalog.js';
import type { JobContext } from './runner.js';

/** What a backup run reports back to its job: the point once made, progress, and the cancel signal. */
export interface PointJobOptions {
  readonly onPoint: (pointId: string) => void;
  readonly onProgress: JobContext['progress'];
  readonly signal: AbortSignal;
}

/**
 * Runs the backup body of a job (`run`), naming the point on the job as soon as it exists. A
 * canceled backup leaves no point: its job then names none (issue 12 §4).
 */
export async function trackingPoint<T>(
  ctx: JobContext,
  catalog: Pick<Catalog, 'getPoint'>,
  run: (opts: PointJobOptions) => Promise<T>,
): Promise<T> {
  let pointId: string | null = null;
  const opts: PointJobOptions = {
    onPoint: (id) => {
      pointId = id;
      ctx.setPoint(id);
    },
    onProgress: ctx.progress,
    signal: ctx.signal,
  };
  try {
    return await run(opts);
  } catch (e) {
    if (ctx.signal.aborted && pointId !== null && catalog.getPoint(pointId) === null) ctx.setPoint(null);
    throw e;
  }
}
