/** Shared setup of the verify tests: a chain of points whose files exist with their checksums. */

import { createHash } from 'node:crypto';

import { SqliteCatalog } from '../../../../src/adapters/sqlite/sqlite-catalog.js';
import { silentLogger } from '../../../../src/ports/logger.js';
import { pointDiskPath, relativeBackingPath } from '../../../../src/core/store-layout.js';
import { VerifyService } from '../../../../src/service/verify/verify.js';
import { FakeFs, FakeImageTool } from '../../../fakes/fake-host.js';

export const U = '11111111-1111-4111-8111-111111111111';
export const ROOT = '/store';
export const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** A chain of `n` available points of vda + vdb whose files exist with their recorded checksums. */
export function setup(n = 4) {
  const catalog = new SqliteCatalog({ path: ':memory:' });
  const fs = new FakeFs();
  const images = new FakeImageTool(fs);
  catalog.upsertDomain({ uuid: U, name: 'web' });
  const chain = catalog.createChain({ domainUuid: U, diskSet: ['vda', 'vdb'] });
  const points = [];
  for (let seq = 0; seq < n; seq++) {
    const disks = ['vda', 'vdb'].map((target) => ({
      target,
      path: pointDiskPath(U, chain.id, target, seq),
      virtualSize: 1 << 20,
      format: 'qcow2' as const,
      checkpoint: `vp-${chain.id}-${seq}`,
    }));
    const p = catalog.createPoint({
      name: `p${seq}`,
      domainUuid: U,
      chainId: chain.id,
      seq,
      kind: seq === 0 ? 'full' : 'incremental',
      trigger: 'manual',
      newChainReason: seq === 0 ? 'no-chain' : null,
      disks,
    });
    const checksums: Record<string, { size: number; sha256: string }> = {};
    for (const d of disks) {
      const path = `${ROOT}/${d.path}`;
      const data = `bytes of ${d.target} at ${seq}`;
      fs.files.set(path, { mode: 0o600, size: data.length, data });
      images.images.set(path, {
        opts: {
          format: 'qcow2',
          size: 1 << 20,
          ...(seq === 0 ? {} : { backingFile: relativeBackingPath(d.target, seq - 1) }),
        },
        actualSize: data.length,
        bitmaps: [],
      });
      checksums[d.target] = { size: data.length, sha256: sha(data) };
    }
    points.push(catalog.updatePointState(p.id, 'available', { checksums }));
  }
  const verify = new VerifyService({ catalog, fs, imageTool: images, log: silentLogger, storeRoot: ROOT });
  const file = (seq: number, target: string) => `${ROOT}/${pointDiskPath(U, chain.id, target, seq)}`;
  return { catalog, fs, images, chain, points, verify, file };
}
