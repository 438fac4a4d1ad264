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
