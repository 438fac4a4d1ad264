/**
 * Copy outcomes for the metrics (docs/metrics.md `virtpoint_copy_outcomes{target,state}`): the
 * copies of points per target and state (`copying`, `copied`, `failed`), read at scrape time;
 * every target appears with all three states (0 when none).
 */

import type { CopiesCatalog, CopyState } from '../../ports/copies-catalog.js';
import type { CopyOutcomeSource } from '../metrics/snapshot.js';

const STATES: readonly CopyState[] = ['copying', 'copied', 'failed'];

export function copyOutcomes(copies: Pick<CopiesCatalog, 'listTargets' | 'listCopies'>): CopyOutcomeSource {
  return {
    outcomes() {
      const counts = new Map<string, number>();
      for (const c of copies.listCopies()) {
        const k = `${c.targetName}\n${c.state}`;
        counts.set(k, (counts.get(k) ?? 0) + 1);
      }
      return copies
        .listTargets()
        .flatMap((t) =>
          STATES.map((state) => ({ target: t.name, state, count: counts.get(`${t.name}\n${state}`) ?? 0 })),
        );
    },
  };
}
