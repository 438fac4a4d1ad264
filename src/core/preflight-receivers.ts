/**
 * The preflight judge of notification receivers (`virtpoint doctor`, check
 * `notify:TASK/RECEIVER`): a webhook's host:port accepts a TCP connection within a short time (no
 * payload is sent; `virtpoint task notify-test NAME` sends one), an exec hook is a file that can
 * be executed. Pure: the probe (ports/receiver-probe.ts) gathers the facts.
 */

import type { Check } from './preflight.js';

export type ReceiverProbeResult =
  | { readonly kind: 'webhook'; readonly connected: true }
  | { readonly kind: 'webhook'; readonly connected: false; readonly reason: string }
  | { readonly kind: 'exec'; readonly exists: boolean; readonly executable: boolean };

export interface ReceiverFacts {
  readonly task: string;
  /** The receiver as text, redacted (safe to show). */
  readonly receiver: string;
  readonly probe: ReceiverProbeResult;
}

/** One check per webhook and exec receiver; a webhook that does not answer is a warning (it may be down for a while), a missing or non-executable hook fails. */
export function judgeReceiver(f: ReceiverFacts): Check {
  const name = `notify:${f.task}/${f.receiver}`;
  const p = f.probe;
  if (p.kind === 'webhook') {
    return p.connected
      ? { name, status: 'ok', message: `task ${f.task}: ${f.receiver} accepts connections` }
      : {
          name,
          status: 'warn',
          message: `task ${f.task}: ${f.receiver} is not reachable (${p.reason}): notifications will fail until it is; try virtpoint task notify-test ${f.task}`,
        };
  }
  if (!p.exists)
    return {
      name,
      status: 'fail',
      message: `task ${f.task}: ${f.receiver} does not exist: install the hook or virtpoint task update ${f.task} --notify …`,
    };
  if (!p.executable)
    return {
      name,
      status: 'fail',
      message: `task ${f.task}: ${f.receiver} is not executable by the daemon: chmod +x it`,
    };
  return { name, status: 'ok', message: `task ${f.task}: ${f.receiver} is executable` };
}
