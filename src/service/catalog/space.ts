/**
 * Space on the host as status and metrics show it: bytes free on the store's filesystem and the
 * size of the catalog (catalog.db plus its write-ahead log). A value that cannot be read is
 * null, never 0.
 */

import type { Fs } from '../../ports/fs.js';

export interface SpaceView {
  readonly storeFreeBytes: number | null;
  readonly catalogBytes: number | null;
}

export async function readSpace(
  fs: Pick<Fs, 'freeBytes' | 'stat'>,
  storeRoot: string,
  catalogPath: string,
): Promise<SpaceView> {
  const storeFreeBytes = await fs.freeBytes(storeRoot).catch(() => null);
  const db = await fs.stat(catalogPath).then(
    (s) => s.size,
    () => null,
  );
  const wal = await fs.stat(`${catalogPath}-wal`).then(
    (s) => s.size,
    () => 0,
  );
  return { storeFreeBytes, catalogBytes: db === null ? null : db + wal };
}
