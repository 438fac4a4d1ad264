import type { ExecutionContext } from 'ava';
import { LibvirtHypervisor } from '../../../../src/adapters/libvirt/hypervisor.js';
import type { HypervisorEvent } from '../../../../src/ports/hypervisor.js';

/** A LibvirtHypervisor on the main libvirtd (qemu:///system), closed at teardown; records its events. */
export async function withHypervisor(
  t: ExecutionContext,
): Promise<{ hv: LibvirtHypervisor; events: HypervisorEvent[] }> {
  const hv = await LibvirtHypervisor.connect({ callTimeoutMs: 120_000 }, 30_000);
  t.teardown(() => hv.close());
  const events: HypervisorEvent[] = [];
  hv.onEvent((e) => events.push(e));
  return { hv, events };
}

/**
 * Resolves with the first event matching `pred` recorded in `events` (a live array) at index
 * `from` or later, already there or arriving within `timeoutMs`.
 */
export async function waitEvent<E extends HypervisorEvent>(
  events: readonly HypervisorEvent[],
  pred: (e: HypervisorEvent) => e is E,
  timeoutMs: number,
  what: string,
  from = 0,
): Promise<E> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = events.slice(from).find(pred);
    if (found) return found;
    if (Date.now() > deadline) {
      throw new Error(`no ${what} event within ${timeoutMs} ms; got ${JSON.stringify(events, bigints)}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function lifecycle(events: readonly HypervisorEvent[], uuid: string): string[] {
  return events.flatMap((e) => (e.kind === 'lifecycle' && e.domainUuid === uuid ? [e.event] : []));
}

export function bigints(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? v.toString() : v;
}
