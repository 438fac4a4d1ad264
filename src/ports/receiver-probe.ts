/**
 * How the preflight looks at a notification receiver without notifying it (core/preflight-receivers.ts):
 * a webhook's host and port are connected to and the connection closed at once (no request is
 * sent); an exec hook's file is checked for existence and execute permission.
 *
 * Contract: never rejects; each probe ends within its timeout.
 */

import type { ReceiverProbeResult } from '../core/preflight-receivers.js';

export interface ReceiverProbe {
  /** `url` is the webhook's whole URL (http: or https:); port 80/443 unless it names one. */
  webhook(url: string, timeoutMs: number): Promise<ReceiverProbeResult>;
  exec(path: string): Promise<ReceiverProbeResult>;
}
