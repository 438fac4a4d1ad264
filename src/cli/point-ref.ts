/**
 * `--point ID|NAME` (and `point show ID|NAME`): an id goes to the API as is; a name is resolved
 * to the point's id by GET /v1/points/{name}[?domain=D] (the name is looked up in D when the
 * command names a domain; elsewhere a name repeated across domains is POINT_AMBIGUOUS, listing
 * the matches). Neither an id nor a valid name: a usage error (exit 2) before anything is sent.
 */

import { isValidId, isValidPointName } from '../core/names.js';
import type { PointView } from '../contract/index.js';
import { UsageError, type Ctx } from './context.js';

/** Throws a UsageError unless `ref` can name a point. */
export function checkPointRef(ref: string, what = 'point'): void {
  if (!isValidId(ref) && !isValidPointName(ref)) {
    throw new UsageError(
      `${what} ${JSON.stringify(ref)} is neither a point id (12 hex characters) nor a point name (letters, digits, _ and -)`,
    );
  }
}

/** The point `ref` names (scoped by `domain` when given). */
export function getPointByRef(ctx: Ctx, ref: string, domain?: string): Promise<PointView> {
  checkPointRef(ref);
  return ctx.client.get<PointView>(
    `/v1/points/${encodeURIComponent(ref)}`,
    domain === undefined ? {} : { domain },
  );
}

/**
 * The id of the point `ref` names: an id is used as is (no request; the daemon checks that it
 * belongs to the domain), a name is looked up (in `domain` when given).
 */
export async function pointIdOf(ctx: Ctx, ref: string, domain?: string): Promise<string> {
  checkPointRef(ref);
  if (isValidId(ref)) return ref;
  return (await getPointByRef(ctx, ref, domain)).id;
}

/**
 * `--point` with `--from NAME`: the point is on a target, so only its id (from `virtpoint remote
 * list NAME`) names it; without `from`, pointIdOf.
 */
export async function pointIdFrom(
  ctx: Ctx,
  ref: string,
  from: string | undefined,
  domain?: string,
): Promise<string> {
  if (from === undefined) return pointIdOf(ctx, ref, domain);
  if (!isValidId(ref)) {
    throw new UsageError(
      `with --from, --point takes the point's id (12 hex characters; see virtpoint remote list ${from}), not ${JSON.stringify(ref)}`,
    );
  }
  return ref;
}
