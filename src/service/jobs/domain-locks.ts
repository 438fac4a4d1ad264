/**
 * One job per domain at a time: `run(uuid, fn)` waits for the jobs already holding or waiting
 * for that domain, in order, then runs `fn`. Other domains are not blocked.
 */
export class DomainLocks {
  private readonly tails = new Map<string, Promise<unknown>>();

  isBusy(uuid: string): boolean {
    return this.tails.has(uuid);
  }

  async run<T>(uuid: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(uuid) ?? Promise.resolve();
    const current = previous.then(fn, fn);
    const tail = current.catch(() => undefined);
    this.tails.set(uuid, tail);
    try {
      return await current;
    } finally {
      if (this.tails.get(uuid) === tail) this.tails.delete(uuid);
    }
  }
}
