/**
 * The RunNotifier adapter: dispatches by receiver kind to webhook.ts, exec.ts and journal.ts.
 * Never rejects (see src/ports/notifier.ts).
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from '../../ports/logger.js';
import type { DeliveryResult, Receiver, Notification, RunNotifier } from '../../ports/notifier.js';
import { sendExec, type ExecOptions } from './exec.js';
import { sendJournal } from './journal.js';
import { describeReceiver } from './receiver.js';
import { sendWebhook, type WebhookOptions } from './webhook.js';

export interface RunNotifierOptions {
  /** Where `journal` receivers write. */
  readonly logger: Logger;
  /** The User-Agent of webhook requests, e.g. `virtpoint/0.1.0` (the daemon knows its version). */
  readonly userAgent: string;
  readonly webhook?: WebhookOptions;
  readonly exec?: ExecOptions;
}

export function createRunNotifier(opts: RunNotifierOptions): RunNotifier {
  const webhook: WebhookOptions = { ...opts.webhook, userAgent: opts.webhook?.userAgent ?? opts.userAgent };
  return {
    async send(receiver: Receiver, payload: Notification): Promise<DeliveryResult> {
      const started = performance.now();
      try {
        switch (receiver.kind) {
          case 'webhook':
            return await sendWebhook(receiver.url, payload, webhook);
          case 'exec':
            return await sendExec(receiver.path, payload, opts.exec);
          case 'journal':
            return await sendJournal(opts.logger, payload);
          default: {
            const kind = (receiver as { kind?: unknown }).kind;
            return {
              receiver: String(kind),
              ok: false,
              attempts: 0,
              error: { code: 'INVALID_ARGUMENT', message: `unknown receiver kind ${JSON.stringify(kind)}` },
              durationMs: 0,
            };
          }
        }
      } catch (e) {
        // The adapters settle every path; this keeps the never-rejects contract if one does not.
        return {
          receiver: describeReceiver(receiver),
          ok: false,
          attempts: 1,
          error: { code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) },
          durationMs: Math.round(performance.now() - started),
        };
      }
    },
  };
}

/** Sends to every receiver at once; results in the receivers' order. Never rejects. */
export function sendAll(
  notifier: RunNotifier,
  receivers: readonly Receiver[],
  payload: Notification,
): Promise<DeliveryResult[]> {
  return Promise.all(receivers.map((r) => notifier.send(r, payload)));
}
