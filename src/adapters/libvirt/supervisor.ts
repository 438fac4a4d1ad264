/**
 * Keeps one LibvirtClient connected: connects, registers the domain events, and when libvirtd
 * goes away (calls in flight then fail with LIBVIRT_DISCONNECTED) reconnects with exponential
 * backoff and registers the events again. Emits `connection` (true/false) and `event`.
 */
import { EventEmitter } from 'node:events';
import { VirtpointError } from '../../core/errors.js';
import { LibvirtClient, type ClientOptions } from './client.js';
import { DomainEventSubscription, type DomainEvent } from './events.js';

export interface SupervisorOptions extends ClientOptions {
  /** First reconnect delay (ms). Default 200. */
  readonly reconnectMinMs?: number;
  /** Largest reconnect delay (ms). Default 10 s. */
  readonly reconnectMaxMs?: number;
  /** Whether to register domain events on every connection. Default true. */
  readonly events?: boolean;
  /** For tests: how a client is made. Default LibvirtClient.connect. */
  readonly connect?: (opts: ClientOptions) => Promise<LibvirtClient>;
}

interface SupervisorEvents {
  connection: [boolean];
  event: [DomainEvent];
  /** A failed connect attempt (the supervisor keeps trying). */
  connectError: [VirtpointError];
}

export class LibvirtSupervisor extends EventEmitter<SupervisorEvents> {
  private current: LibvirtClient | null = null;
  private subscription: DomainEventSubscription | null = null;
  private stopped = false;
  private running: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private waiters: { resolve: (c: LibvirtClient) => void; reject: (e: unknown) => void }[] = [];
  private lastError: VirtpointError | null = null;

  constructor(private readonly opts: SupervisorOptions = {}) {
    super();
  }

  /** Starts connecting (in the background); see `ready()`. */
  start(): void {
    if (this.running || this.stopped) return;
    this.running = this.loop();
  }

  /** Resolves with the client once connected; rejects after `timeoutMs` with the last error. */
  ready(timeoutMs = 10_000): Promise<LibvirtClient> {
    this.start();
    if (this.current?.isOpen) return Promise.resolve(this.current);
    return new Promise((resolve, reject) => {
      const w = {
        resolve: (c: LibvirtClient) => {
          clearTimeout(t);
          resolve(c);
        },
        reject: (e: unknown) => {
          clearTimeout(t);
          reject(e);
        },
      };
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(
          this.lastError ??
            new VirtpointError('LIBVIRT_DISCONNECTED', `not connected to libvirtd after ${timeoutMs} ms`),
        );
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  get connected(): boolean {
    return this.current?.isOpen ?? false;
  }

  /** The connected client; throws LIBVIRT_DISCONNECTED at once when there is none. */
  client(): LibvirtClient {
    const c = this.current;
    if (!c || !c.isOpen) {
      throw new VirtpointError(
        'LIBVIRT_DISCONNECTED',
        `not connected to libvirtd${this.lastError ? `: ${this.lastError.message}` : ''}`,
      );
    }
    return c;
  }

  /** Deregisters events, closes the connection and stops reconnecting. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.wake?.();
    const c = this.current;
    const sub = this.subscription;
    if (sub) await sub.deregister().catch(() => undefined);
    if (c) await c.close().catch(() => undefined);
    await this.running;
    for (const w of this.waiters.splice(0)) {
      w.reject(new VirtpointError('LIBVIRT_DISCONNECTED', 'libvirt supervisor stopped'));
    }
  }

  private async loop(): Promise<void> {
    const min = this.opts.reconnectMinMs ?? 200;
    const max = this.opts.reconnectMaxMs ?? 10_000;
    const connect = this.opts.connect ?? ((o: ClientOptions) => LibvirtClient.connect(o));
    let delay = min;
    while (!this.stopped) {
      let client: LibvirtClient | null = null;
      try {
        client = await connect(this.opts);
        const closed = new Promise<void>((resolve) => client?.connection.once('close', () => resolve()));
        if (this.stopped) {
          await client.close();
          return;
        }
        if (this.opts.events !== false) {
          this.subscription = await DomainEventSubscription.register(client, (e) => this.emit('event', e));
        }
        this.current = client;
        this.lastError = null;
        delay = min;
        this.emit('connection', true);
        for (const w of this.waiters.splice(0)) w.resolve(client);
        await closed;
        this.current = null;
        this.subscription = null;
        if (this.stopped) return;
        this.emit('connection', false);
      } catch (e) {
        const err =
          e instanceof VirtpointError
            ? e
            : new VirtpointError('LIBVIRT_DISCONNECTED', `libvirt connect failed: ${String(e)}`, {
                cause: e,
              });
        this.lastError = err;
        if (client && client !== this.current) client.connection.destroy();
        if (this.current === client) this.current = null;
        this.emit('connectError', err);
      }
      if (this.stopped) return;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = null;
      delay = Math.min(max, delay * 2);
    }
  }
}
