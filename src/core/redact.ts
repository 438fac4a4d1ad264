/**
 * Receiver credentials never reach a log line, an API view or an error message: a webhook URL's
 * `user:password@` and the values of its query string (where services put tokens) are replaced
 * by `***`, its fragment too. The rest stays as written, so an operator still recognises the
 * receiver. Works on any text (also one that does not parse as a URL: an invalid receiver is
 * echoed in its error message). A secret inside the URL path (some services do that) is not
 * recognisable and stays: put such a URL in an exec hook instead (docs/notifications.md).
 */

export const REDACTED = '***';

/** `scheme://user:pass@` → `scheme://***@`; `?a=1&b=2` → `?a=***&b=***`; `#frag` → `#***`. */
export function redactUrlSecrets(text: string): string {
  return text
    .replace(/(\/\/)[^/?#@\s]*@/g, `$1${REDACTED}@`)
    .replace(/([?&;][^=&;#\s]*=)[^&;#\s]*/g, `$1${REDACTED}`)
    .replace(/#[^\s]*/g, `#${REDACTED}`);
}

/** Whether a text carries our `***` marks (copied from a view): storing it would lose the secret. */
export function looksRedacted(text: string): boolean {
  return /\/\/\*\*\*@|[?&;][^=&;#\s]*=\*\*\*(?=[&;#\s]|$)|#\*\*\*$/.test(text);
}

/**
 * The form of a receiver text (`webhook:https://…`, `exec:/path`, `journal`, or anything a user
 * typed) safe to show: see the module comment. Exec paths and `journal` are returned unchanged.
 */
export function redactReceiver(text: string): string {
  if (text === 'journal' || text.startsWith('exec:')) return text;
  return redactUrlSecrets(text);
}
