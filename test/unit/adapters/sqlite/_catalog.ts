/** Shared setup for the SQLite catalog tests: an in-memory catalog with a counter clock and ids. */

import { SqliteCatalog } from '../../../../src/adapters/sqlite/sqlite-catalog.js';
import { checkpointName } from '../../../../src/core/names.js';
import { pointDiskPath } from '../../../../src/core/store-layout.js';
import type { NewPoint } from '../../../../src/ports/catalog.js';

export const U1 = '11111111-1111-4111-8111-111111111111';
export const U2 = '22222222-2222-4222-8222-222222222222';

/** Ids 000000000001, 000000000002, …; clock 1000, 2000, … (one step per call). */
export function memoryCatalog(): { catalog: SqliteCatalog; clock: { t: number } } {
  let n = 0;
  const clock = { t: 0 };
  const random = (size: number) => {
    n++;
    const b = new Uint8Array(size);
    new DataView(b.buffer).setUint32(size - 4, n);
    return b;
  };
  const catalog = new SqliteCatalog({ path: ':memory:', random, now: () => (clock.t += 1000) });
  return { catalog, clock };
}

export function newPoint(
  domainUuid: string,
  chainId: string,
  seq: number,
  over: Partial<NewPoint> = {},
  targets: readonly string[] = ['vda', 'vdb'],
): NewPoint {
  return {
    name: `p-${chainId}-${seq}`,
    domainUuid,
    chainId,
    seq,
    kind: seq === 0 ? 'full' : 'incremental',
    trigger: 'manual',
    newChainReason: seq === 0 ? 'no-chain' : null,
    disks: targets.map((target) => ({
      target,
      path: pointDiskPath(domainUuid, chainId, target, seq),
      virtualSize: 1 << 30,
      format: 'qcow2' as const,
      checkpoint: checkpointName(chainId, seq),
    })),
    ...over,
  };
}
