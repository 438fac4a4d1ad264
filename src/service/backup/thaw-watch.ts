import { isVirtpointError } from '../../core/errors.js';
import type { Clock } from '../../ports/fs.js';
import type { Hypervisor } from '../../ports/hypervisor.js';
import type { Logger } from '../../ports/logger.js';

/**
 * A freeze the agent did not answer in time may still reach it: a stopped qemu-ga runs the
 * queued guest-fsfreeze-freeze when it resumes, after the backup gave up on it (libvirt sends
 * commands without a new guest-sync once in sync). When the check after the job could not get an
 * answer, the guest is watched in the background: every `intervalMs` its freeze state is asked;
 * frozen → thawed (logged at error); thawed → done. The watch ends when the next backup of the
 * domain starts (it must not thaw that backup's freeze), when the domain is gone, or after
 * `maxMs` (logged at error).
 */

export interface ThawWatchOptions {
  readonly intervalMs?: number;
  readonly maxMs?: number;
  readonly timeoutMs?: number;
}

export class ThawWatch {
  private readonly watches = new Map<string, { ac: AbortController; done: Promise<void> }>();

  constructor(
    private readonly hv: Hypervisor,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly opts: ThawWatchOptions = {},
  ) {}

  start(uuid: string): void {
    this.stop(uuid);
    const ac = new AbortController();
    const done = this.run(uuid, ac.signal).finally(() => {
      if (this.watches.get(uuid)?.ac === ac) this.watches.delete(uuid);
    });
    this.watches.set(uuid, { ac, done });
  }

  stop(uuid: string): void {
    this.watches.get(uuid)?.ac.abort();
    this.watches.delete(uuid);
  }

  watching(uuid: string): boolean {
    return this.watches.has(uuid);
  }

  /** Resolves once no watch runs (tests, shutdown). */
  async idle(): Promise<void> {
    await Promise.all([...this.watches.values()].map((w) => w.done));
  }

  private async run(uuid: string, signal: AbortSignal): Promise<void> {
    const interval = this.opts.intervalMs ?? 5_000;
    const timeout = this.opts.timeoutMs ?? 2_000;
    const deadline = this.clock.now() + (this.opts.maxMs ?? 15 * 60_000);
    this.log.warn({ uuid }, 'guest agent not answering after the backup: watching the guest freeze state');
    while (this.clock.now() < deadline) {
      await this.clock.sleep(interval, signal).catch(() => undefined);
      if (signal.aborted) return;
      let status: unknown;
      try {
        const reply = await this.hv.agentCommand(uuid, '{"execute":"guest-fsfreeze-status"}', timeout);
        status = (JSON.parse(reply) as { return?: unknown }).return;
      } catch (e) {
        if (isVirtpointError(e, 'DOMAIN_NOT_FOUND') || isVirtpointError(e, 'INVALID_STATE')) return;
        continue;
      }
      if (signal.aborted) return;
      if (status !== 'frozen') {
        this.log.info({ uuid }, 'guest agent answers again; the guest is not frozen');
        return;
      }
      this.log.error({ uuid }, 'a late freeze left the guest frozen after the backup: thawing it');
      await this.hv
        .thawFilesystems(uuid, timeout)
        .catch((e) => this.log.error({ uuid, err: String(e) }, 'THAW FAILED (retrying)'));
    }
    this.log.error(
      { uuid },
      'guest agent still not answering; check the guest freeze state by hand (virsh domfsthaw)',
    );
  }
}
