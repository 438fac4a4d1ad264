/**
 * Receivers as text (task config, CLI `--notify`): parsed and formatted by core/policy-task.ts
 * (re-exported here); describeReceiver is the form safe for logs and results (no credentials,
 * no query string).
 */
import { formatReceiver, type Receiver } from '../../core/policy-task.js';

export { execPathProblem, formatReceiver, parseReceiver, webhookUrlProblem } from '../../core/policy-task.js';

/** A URL without user, password, query or fragment (those may hold secrets). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    const query = u.search === '' ? '' : '?…';
    return `${u.protocol}//${u.host}${u.pathname}${query}`;
  } catch {
    return '(invalid URL)';
  }
}

/** The text form for logs, results and history. */
export function describeReceiver(r: Receiver): string {
  return r.kind === 'webhook' ? `webhook:${redactUrl(r.url)}` : formatReceiver(r);
}
