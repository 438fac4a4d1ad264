/**
 * Domain events: REGISTER_ANY (316) for lifecycle, block-job-2, agent-lifecycle and
 * job-completed; the pushed MESSAGE frames decoded into the port's typed events; DEREGISTER_ANY
 * (317) on close.
 */
import type { HypervisorEvent } from '../../ports/hypervisor.js';
import type { LibvirtClient } from './client.js';
import type { Frame } from './frame.js';
import { toJobStats } from './job-stats.js';
import {
  AgentLifecycleState,
  DomainEventId,
  LIFECYCLE_EVENTS,
  REMOTE_PROGRAM,
  RemoteProc,
} from './procedures.js';
import { readTypedParams } from './typed-params.js';
import { readDomain, XdrReader } from './xdr.js';

export const SUBSCRIBED_EVENT_IDS = [
  DomainEventId.LIFECYCLE,
  DomainEventId.BLOCK_JOB_2,
  DomainEventId.AGENT_LIFECYCLE,
  DomainEventId.JOB_COMPLETED,
] as const;

export type DomainEvent = Exclude<HypervisorEvent, { kind: 'connection' }>;

/** Decodes one MESSAGE frame; null for frames that are not a domain event we know. */
export function decodeDomainEvent(frame: Frame): { callbackId: number; event: DomainEvent } | null {
  const h = frame.header;
  if (h.prog !== REMOTE_PROGRAM) return null;
  const r = new XdrReader(frame.body);
  switch (h.proc) {
    case RemoteProc.DOMAIN_EVENT_CALLBACK_LIFECYCLE: {
      const callbackId = r.int();
      const dom = readDomain(r);
      const ev = r.int();
      const detail = r.int();
      return {
        callbackId,
        event: {
          kind: 'lifecycle',
          domainUuid: dom.uuid,
          domainName: dom.name,
          event: LIFECYCLE_EVENTS[ev] ?? `event-${ev}`,
          detail,
        },
      };
    }
    case RemoteProc.DOMAIN_EVENT_BLOCK_JOB_2: {
      const callbackId = r.int();
      const dom = readDomain(r);
      const disk = r.string();
      const jobType = r.int();
      const status = r.int();
      return {
        callbackId,
        event: { kind: 'block-job', domainUuid: dom.uuid, domainName: dom.name, disk, jobType, status },
      };
    }
    case RemoteProc.DOMAIN_EVENT_CALLBACK_AGENT_LIFECYCLE: {
      const callbackId = r.int();
      const dom = readDomain(r);
      const state = r.int();
      const reason = r.int();
      return {
        callbackId,
        event: {
          kind: 'agent-lifecycle',
          domainUuid: dom.uuid,
          domainName: dom.name,
          state: state === AgentLifecycleState.CONNECTED ? 'connected' : 'disconnected',
          reason,
        },
      };
    }
    case RemoteProc.DOMAIN_EVENT_CALLBACK_JOB_COMPLETED: {
      const callbackId = r.int();
      const dom = readDomain(r);
      const params = readTypedParams(r);
      const success = params.find((p) => p.field === 'success')?.value;
      const failed = success === false || (success === undefined && params.some((p) => p.field === 'errmsg'));
      return {
        callbackId,
        event: {
          kind: 'job-completed',
          domainUuid: dom.uuid,
          domainName: dom.name,
          stats: toJobStats(failed ? 'failed' : 'completed', params),
        },
      };
    }
    default:
      return null;
  }
}

/** The event registrations of one client connection. */
export class DomainEventSubscription {
  private callbackIds: number[] = [];
  private readonly onMessage = (f: Frame): void => {
    let decoded: ReturnType<typeof decodeDomainEvent>;
    try {
      decoded = decodeDomainEvent(f);
    } catch (e) {
      this.onError?.(e);
      return;
    }
    if (decoded && this.callbackIds.includes(decoded.callbackId)) this.listener(decoded.event);
  };

  private constructor(
    private readonly client: LibvirtClient,
    private readonly listener: (e: DomainEvent) => void,
    private readonly onError?: (e: unknown) => void,
  ) {}

  /** Registers all SUBSCRIBED_EVENT_IDS for all domains. */
  static async register(
    client: LibvirtClient,
    listener: (e: DomainEvent) => void,
    onError?: (e: unknown) => void,
  ): Promise<DomainEventSubscription> {
    const sub = new DomainEventSubscription(client, listener, onError);
    client.connection.on('message', sub.onMessage);
    try {
      for (const id of SUBSCRIBED_EVENT_IDS) sub.callbackIds.push(await client.registerDomainEvent(id));
    } catch (e) {
      await sub.deregister().catch(() => undefined);
      throw e;
    }
    return sub;
  }

  get registered(): readonly number[] {
    return this.callbackIds;
  }

  /** Deregisters (best effort when the connection is already gone). */
  async deregister(): Promise<void> {
    this.client.connection.off('message', this.onMessage);
    const ids = this.callbackIds;
    this.callbackIds = [];
    if (!this.client.isOpen) return;
    await Promise.all(ids.map((id) => this.client.deregisterDomainEvent(id).catch(() => undefined)));
  }
}
