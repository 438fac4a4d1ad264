/** Promise helpers for jobs that run several steps at once and must leave none running. */

/** Waits for every promise; then throws the first rejection, if any (none is left running). */
export async function allOrThrow(ps: readonly Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(ps)).find((r) => r.status === 'rejected');
  if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
}

/** Waits for every promise, ignoring failures (the caller's own error path reports them). */
export async function settleAll(ps: readonly Promise<unknown>[]): Promise<void> {
  await Promise.allSettled(ps);
}

/**
 * Runs `fn` over `items`, at most `n` at once, taken in order; after a failure no new item is
 * started. Throws the first failure once every running call has ended (none is left running).
 */
export async function eachLimit<T>(
  items: readonly T[],
  n: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < items.length && !failed) {
      const i = next++;
      try {
        await fn(items[i]!, i);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  await allOrThrow(Array.from({ length: Math.min(n, items.length) }, worker));
}
