/**
 * Receivers as text (task config, CLI `--notify`): `webhook:http(s)://…`, `exec:/abs/path`,
 * `journal`. parseReceiver is the one validation; formatReceiver is its inverse, and
 * describeReceiver is the form safe for logs and results (no credentials, no query string).
 */
import { VirtpointError } from '../../core/errors.js';
import type { Receiver } from '../../ports/notifier.js';

const MAX_RECEIVER_LENGTH = 2048;

function invalid(text: string, why: string): VirtpointError {
  const shown = text.length > 80 ? `${text.slice(0, 80)}…` : text;
  return new VirtpointError(
    'INVALID_ARGUMENT',
    `invalid notification receiver ${JSON.stringify(shown)}: ${why} ` +
      '(expected webhook:http(s)://…, exec:/absolute/path or journal)',
  );
}

/** Why a webhook URL is unusable, or undefined when it is fine. */
export function webhookUrlProblem(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'not a valid URL';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'webhook URLs must be http or https';
  if (u.hostname === '') return 'the URL has no host';
  return undefined;
}

/** Why an exec path is unusable, or undefined when it is fine. */
export function execPathProblem(p: string): string | undefined {
  if (!p.startsWith('/')) return 'the program path must be absolute';
  if (p.split('/').includes('..')) return 'the program path must not contain ..';
  if (p.endsWith('/')) return 'the program path names a directory';
  return undefined;
}

/** Parses the text form of a receiver. Throws INVALID_ARGUMENT on anything else. */
export function parseReceiver(text: string): Receiver {
  if (text.length > MAX_RECEIVER_LENGTH) throw invalid(text, `longer than ${MAX_RECEIVER_LENGTH} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\s]/.test(text)) throw invalid(text, 'contains whitespace or control characters');
  if (text === 'journal') return { kind: 'journal' };
  if (text.startsWith('webhook:')) {
    const url = text.slice('webhook:'.length);
    const problem = webhookUrlProblem(url);
    if (problem !== undefined) throw invalid(text, problem);
    return { kind: 'webhook', url };
  }
  if (text.startsWith('exec:')) {
    const path = text.slice('exec:'.length);
    const problem = execPathProblem(path);
    if (problem !== undefined) throw invalid(text, problem);
    return { kind: 'exec', path };
  }
  throw invalid(text, 'unknown kind');
}

/** The text form parseReceiver accepts (full URL, credentials included: for storage only). */
export function formatReceiver(r: Receiver): string {
  switch (r.kind) {
    case 'webhook':
      return `webhook:${r.url}`;
    case 'exec':
      return `exec:${r.path}`;
    case 'journal':
      return 'journal';
  }
}

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
