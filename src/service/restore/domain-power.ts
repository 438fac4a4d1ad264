import { VirtpointError } from '../../core/errors.js';
import type { Clock } from '../../ports/fs.js';
import type { DomainInfo, Hypervisor, ShutdownMode } from '../../ports/hypervisor.js';
import type { Logger } from '../../ports/logger.js';

export interface ShutdownOptions {
  readonly timeoutMs: number;
  /** Destroy the domain when it does not stop in time. */
  readonly force: boolean;
  /** State poll interval (default 500 ms). */
  readonly pollMs?: number;
  readonly signal?: AbortSignal;
}

/**
 * Shuts a domain down gracefully within `timeoutMs`. With a guest agent channel, the ACPI power
 * button and the agent's guest-shutdown are both requested at once, up front: a guest that
 * ignores ACPI (no acpid, a locked desktop) stops as soon as its agent acts on the request, one
 * whose agent is missing or hung stops through ACPI; neither waits for the other (an agent
 * request may stay pending until the guest is off, so requests are never awaited before the
 * state is polled). Without the channel only ACPI is asked. The state is polled until
 * `shutoff`; when every request was refused, or the timeout passes: INVALID_STATE, or with
 * `force` the domain is destroyed. Returns how it stopped.
 */
export async function shutDownDomain(
  hv: Hypervisor,
  clock: Clock,
  log: Logger,
  domain: DomainInfo,
  opts: ShutdownOptions,
): Promise<'shutdown' | 'destroyed'> {
  const uuid = domain.uuid;
  const deadline = clock.now() + opts.timeoutMs;
  const modes: ShutdownMode[] = domain.hasAgentChannel ? ['acpi', 'agent'] : ['acpi'];
  let pending = modes.length;
  let accepted = false;
  for (const mode of modes) {
    void hv.shutdownDomain(uuid, mode).then(
      () => {
        pending--;
        accepted = true;
      },
      (e: unknown) => {
        pending--;
        log.warn({ uuid, mode, err: String(e) }, 'shutdown request refused');
      },
    );
  }
  for (;;) {
    if ((await hv.getDomainState(uuid)) === 'shutoff') return 'shutdown';
    const left = deadline - clock.now();
    if (left <= 0 || (pending === 0 && !accepted)) break;
    await clock.sleep(Math.min(opts.pollMs ?? 500, left), opts.signal);
  }

  const seconds = +(opts.timeoutMs / 1000).toFixed(1);
  if (!opts.force) {
    throw new VirtpointError(
      'INVALID_STATE',
      `domain ${domain.name} did not shut down in ${seconds} s; use --force to destroy it`,
    );
  }
  log.warn({ uuid, timeoutMs: opts.timeoutMs }, 'domain did not shut down in time: destroying it (--force)');
  await hv.destroyDomain(uuid);
  return 'destroyed';
}
