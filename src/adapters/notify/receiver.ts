/**
 * Receivers as text (task config, CLI `--notify`): parsed and formatted by core/policy-task.ts
 * (re-exported here); describeReceiver is the form safe for logs and results (credentials, query
 * values and fragment replaced by `***`: core/redact.ts).
 */
import { formatReceiver, type Receiver } from '../../core/policy-task.js';
import { redactReceiver, redactUrlSecrets } from '../../core/redact.js';

export { execPathProblem, formatReceiver, parseReceiver, webhookUrlProblem } from '../../core/policy-task.js';

/** A URL with its user, password, query values and fragment replaced by `***` (those may hold secrets). */
export function redactUrl(url: string): string {
  return redactUrlSecrets(url);
}

/** The text form for logs, results and history. */
export function describeReceiver(r: Receiver): string {
  return redactReceiver(formatReceiver(r));
}
