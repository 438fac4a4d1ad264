/**
 * `target test` (docs/copies.md, "Target test"): one HEAD of a missing key (the round trip),
 * then a probe object `probe/<random>` of random bytes written, read back and compared, and
 * deleted; reports latency and throughput. A read-back that differs is DATA_CORRUPT; the probe
 * is deleted whatever happened after it was written (only this probe: its key is random and
 * made here).
 */

import { createHash, randomBytes } from 'node:crypto';

import type { TargetTestView } from '../../contract/index.js';
import { VirtpointError } from '../../core/errors.js';
import type { Catalog } from '../../ports/catalog.js';
import type { Clock } from '../../ports/fs.js';
import type { TargetStoreFactory } from '../../ports/target.js';

export const PROBE_BYTES = 4 * 1024 * 1024;

export interface ProbeDeps {
  readonly catalog: Catalog;
  readonly stores: TargetStoreFactory;
  readonly clock: Clock;
}

const perSecond = (bytes: number, ms: number): number => Math.round((bytes * 1000) / Math.max(1, ms));
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

export async function probeTarget(
  deps: ProbeDeps,
  name: string,
  bytes = PROBE_BYTES,
): Promise<TargetTestView> {
  const t = deps.catalog.copies.requireTarget(name);
  const store = await deps.stores.open(t.id);
  const { clock } = deps;
  const key = `probe/${randomBytes(6).toString('hex')}`;
  try {
    let at = clock.now();
    if ((await store.head(key)) !== null) {
      throw new VirtpointError('TARGET_ERROR', `target ${t.name}: a fresh probe key ${key} already exists`);
    }
    const latencyMs = clock.now() - at;
    const body = randomBytes(bytes);
    at = clock.now();
    await store.putObject(key, body);
    const writeMs = clock.now() - at;
    let readMs: number;
    try {
      at = clock.now();
      const back = await store.getObject(key, bytes);
      readMs = clock.now() - at;
      if (back.length !== body.length || sha(back) !== sha(body)) {
        throw new VirtpointError(
          'DATA_CORRUPT',
          `target ${t.name}: the probe read back differs from what was written (${back.length} of ${bytes} bytes): the target does not store bytes faithfully`,
        );
      }
    } finally {
      at = clock.now();
      await store.delete(key);
    }
    const deleteMs = clock.now() - at;
    if ((await store.head(key)) !== null) {
      throw new VirtpointError(
        'TARGET_ERROR',
        `target ${t.name}: the probe ${key} is still there after its delete`,
      );
    }
    return {
      target: t.name,
      key,
      bytes,
      latencyMs,
      writeMs,
      readMs,
      deleteMs,
      writeBytesPerSecond: perSecond(bytes, writeMs),
      readBytesPerSecond: perSecond(bytes, readMs),
    };
  } finally {
    await store.close();
  }
}
