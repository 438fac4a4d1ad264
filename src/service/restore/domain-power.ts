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
 * Shuts a domain down gracefully within `timeoutMs`: ACPI power button first; with a guest agent
 * channel, after half the time (or at once when ACPI is refused) the agent is asked too. When it
 * has not stopped by then: INVALID_STATE, or with `force` it is destroyed. Returns how it stopped.
 */
export async function shutDownDomain(
  hv: Hypervisor,
  clock: Clock,
  log: Logger,
  domain: DomainInfo,
  opts: ShutdownOptions,
): Promise<'shutdown' | 'destroyed'> {
  const uuid = domain.uuid;
  const start = clock.now();
  const deadline = start + opts.timeoutMs;
  const ask = async (mode: ShutdownMode): Promise<boolean> => {
    try {
      await hv.shutdownDomain(uuid, mode);
      return true;
    } catch (e) {
      log.warn({ uuid, mode, err: String(e) }, 'shutdown request refused');
      return false;
    }
  };
  const stoppedBy = async (until: number): Promise<boolean> => {
    for (;;) {
      if ((await hv.getDomainState(uuid)) === 'shutoff') return true;
      const left = until - clock.now();
      if (left <= 0) return false;
      await clock.sleep(Math.min(opts.pollMs ?? 500, left), opts.signal);
    }
  };

  const acpi = await ask('acpi');
  const acpiUntil = domain.hasAgentChannel ? start + opts.timeoutMs / 2 : deadline;
  if (acpi && (await stoppedBy(acpiUntil))) return 'shutdown';
  const agent = domain.hasAgentChannel && (await ask('agent'));
  if ((acpi || agent) && (await stoppedBy(deadline))) return 'shutdown';
  if ((await hv.getDomainState(uuid)) === 'shutoff') return 'shutdown';

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
