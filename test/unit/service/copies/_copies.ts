/** A store with points whose files are PART*2+10 bytes, two targets on fake stores, a real runner. */

import { randomBytes } from 'node:crypto';

import { silentLogger } from '../../../../src/ports/logger.js';
import { CopyJobs } from '../../../../src/service/copies/copy-jobs.js';
import { CopyService } from '../../../../src/service/copies/copy.js';
import { JobRunner } from '../../../../src/service/jobs/runner.js';
import { FakeTarget } from '../../../helpers/fake-target.js';
import { seededBytes } from '../../../helpers/seeded.js';
import { storeWithPoints } from '../recovery/_recovery.js';
import type { FakeFs } from '../../../fakes/fake-host.js';

export const PART = 1000;

function source(fs: FakeFs) {
  return {
    async *chunks(path: string, offset: number, size: number): AsyncIterable<Buffer> {
      const b = Buffer.from(fs.files.get(path)?.data ?? '', 'latin1');
      for (let i = offset; i < b.length; i += size) yield await Promise.resolve(b.subarray(i, i + size));
    },
  };
}

export async function copiesSetup(prune?: (n: string) => Promise<unknown>) {
  const s = await storeWithPoints();
  for (const [path, f] of s.fs.files) {
    if (!/\.qcow2$/.test(path)) continue;
    const b = seededBytes(path, 2 * PART + 10);
    f.data = b.toString('latin1');
    f.size = b.length;
  }
  // The manifests' recorded sizes are not checked by the copy (it uploads what the store holds).
  s.catalog.copies.addTarget({
    name: 'off',
    config: { kind: 'ssh', user: 'u', host: 'nas', port: 22, path: '/srv' },
    keyId: null,
    bwlimit: null,
    retention: 'forever',
  });
  s.catalog.copies.addTarget({
    name: 'kept',
    config: { kind: 'ssh', user: 'u', host: 'nas', port: 22, path: '/srv2' },
    keyId: null,
    bwlimit: null,
    retention: 'chains:1',
  });
  const store = new FakeTarget();
  const other = new FakeTarget();
  const offId = s.catalog.copies.requireTarget('off').id;
  const stores = {
    open: (id: string) => Promise.resolve(id === offId ? store : other),
    encryptionKey: () => Promise.resolve(null),
  };
  const runner = new JobRunner({ catalog: s.catalog, log: silentLogger });
  const copy = new CopyService({
    catalog: s.catalog,
    fs: s.fs,
    files: source(s.fs),
    stores,
    random: randomBytes,
    log: silentLogger,
    storeRoot: '/store',
    hostName: 'h1',
    partSize: PART,
  });
  const jobs = new CopyJobs({
    catalog: s.catalog,
    runner,
    copy,
    stores,
    log: silentLogger,
    ...(prune ? { prune } : {}),
  });
  return { ...s, store, runner, jobs, copy };
}
