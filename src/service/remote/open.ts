/** Opening a target for reading: its row, a store (TargetStoreFactory) and its encryption key. */

import type { Catalog } from '../../ports/catalog.js';
import type { Target } from '../../ports/copies-catalog.js';
import type { SecretFiles } from '../../ports/secret-files.js';
import type { TargetStore, TargetStoreFactory } from '../../ports/target.js';
import { SECRET } from '../copies/targets.js';

export interface OpenTargetDeps {
  readonly catalog: Catalog;
  readonly secrets: SecretFiles;
  readonly stores: TargetStoreFactory;
}

export interface OpenTarget {
  readonly target: Target;
  readonly store: TargetStore;
  readonly key: Uint8Array | null;
}

/** Runs `fn` with the target open and closes its store afterwards. TARGET_NOT_FOUND by name. */
export async function withTarget<T>(
  deps: OpenTargetDeps,
  name: string,
  fn: (t: OpenTarget) => Promise<T>,
): Promise<T> {
  const target = deps.catalog.copies.requireTarget(name);
  const key = target.keyId === null ? null : await deps.secrets.load(target.id, SECRET.encryptKey);
  const store = await deps.stores.open(target.id);
  try {
    return await fn({ target, store, key });
  } finally {
    await store.close().catch(() => undefined);
  }
}
