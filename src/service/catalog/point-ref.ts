/**
 * A point named by its id or by its name (docs/api.md "Points"): names are unique per domain
 * but may repeat across domains, so a name is looked up within `domainUuid` when given, else
 * across all domains, where more than one match is POINT_AMBIGUOUS listing them.
 */

import { VirtpointError } from '../../core/errors.js';
import { isValidId, isValidPointName } from '../../core/names.js';
import type { Catalog, Point } from '../../ports/catalog.js';

export function resolvePointRef(
  catalog: Pick<Catalog, 'getPoint' | 'getPointByName' | 'listPoints' | 'getDomain'>,
  ref: string,
  domainUuid?: string,
): Point {
  const scope =
    domainUuid === undefined ? '' : ` of domain ${catalog.getDomain(domainUuid)?.name ?? domainUuid}`;
  if (isValidId(ref)) {
    const p = catalog.getPoint(ref);
    if (p !== null && (domainUuid === undefined || p.domainUuid === domainUuid)) return p;
  }
  if (!isValidPointName(ref)) {
    throw new VirtpointError(
      'INVALID_ARGUMENT',
      `${JSON.stringify(ref)} is neither a point id nor a point name`,
    );
  }
  if (domainUuid !== undefined) {
    const p = catalog.getPointByName(domainUuid, ref);
    if (p !== null) return p;
    throw new VirtpointError('POINT_NOT_FOUND', `no point ${ref}${scope} (virtpoint point list --domain …)`);
  }
  const matches = catalog.listPoints().filter((p) => p.name === ref);
  const [only, ...more] = matches;
  if (only === undefined)
    throw new VirtpointError('POINT_NOT_FOUND', `no point ${ref} (virtpoint point list)`);
  if (more.length > 0) {
    const list = matches.map(
      (p) => `${p.id} (domain ${catalog.getDomain(p.domainUuid)?.name ?? p.domainUuid})`,
    );
    throw new VirtpointError(
      'POINT_AMBIGUOUS',
      `${matches.length} points are named ${ref}: ${list.join(', ')}; give the domain or the point id`,
      { details: { matches: matches.map((p) => p.id) } },
    );
  }
  return only;
}
