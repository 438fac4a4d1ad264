/**
 * The daemon's HTTP API (docs/api.md) through Cockpit's bridge: `cockpit.http({unix})` on the
 * daemon socket, so Cockpit's login and the socket's group decide who gets in. The socket path
 * is `/run/virtpoint/virtpoint.sock` unless the package's `config.json` names another (tests).
 * Every answer is returned, never thrown: `{ok: false, error: {code, message}}` carries the
 * API's own error, shown by the page as it is.
 */
import type { JobView } from '../../src/contract/index.js';

export const DEFAULT_SOCKET = '/run/virtpoint/virtpoint.sock';

export interface ApiError {
  readonly code: string;
  readonly message: string;
}

export type ApiResult<T> =
  | { readonly ok: true; readonly status: number; readonly data: T }
  | { readonly ok: false; readonly status: number; readonly error: ApiError };

let client: CockpitHttpClient | null = null;
let socketPath = DEFAULT_SOCKET;

/** Reads config.json beside the page (optional: `{"socket": "/path"}`). */
export async function loadConfig(): Promise<string> {
  try {
    const r = await fetch('config.json', { cache: 'no-store' });
    if (r.ok) {
      const c = (await r.json()) as { socket?: unknown };
      if (typeof c.socket === 'string' && c.socket.startsWith('/')) socketPath = c.socket;
    }
  } catch {
    // no config: the default socket
  }
  return socketPath;
}

function http(): CockpitHttpClient {
  if (!client) client = cockpit.http({ unix: socketPath, superuser: 'try' });
  return client;
}

function parseError(status: number, body: string | undefined, err: CockpitHttpError): ApiError {
  if (body) {
    try {
      const j = JSON.parse(body) as { error?: ApiError };
      if (j.error && typeof j.error.code === 'string') return j.error;
    } catch {
      // not JSON: fall through
    }
  }
  if (err.problem) {
    return {
      code: 'UNREACHABLE',
      message: `cannot reach virtpointd on ${socketPath} (${err.problem}): is the daemon running, and may this user open the socket (group virtpoint)?`,
    };
  }
  return { code: 'HTTP_' + status, message: err.message || `HTTP ${status}` };
}

/** One request; `body` is sent as JSON. Query values are encoded here. */
export function api<T>(
  method: string,
  path: string,
  body?: unknown,
  query?: Record<string, string | undefined>,
): Promise<ApiResult<T>> {
  const q = query
    ? Object.entries(query)
        .filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '')
        .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
        .join('&')
    : '';
  const full = q ? `${path}?${q}` : path;
  return new Promise((resolve) => {
    let status = 0;
    http()
      .request({
        method,
        path: full,
        body: body === undefined ? '' : JSON.stringify(body),
        headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      })
      .response((s) => (status = s))
      .then(
        (text) => {
          let data: unknown = null;
          if (text) {
            try {
              data = JSON.parse(text);
            } catch {
              data = text;
            }
          }
          resolve({ ok: true, status: status || 200, data: data as T });
        },
        (err, text) => {
          const st = err.status ?? status;
          resolve({ ok: false, status: st, error: parseError(st, text, err) });
        },
      );
  });
}

/**
 * Follows `GET /v1/jobs/{id}/events` (NDJSON: one JobView a line until the job is final) and
 * calls `onJob` for each; resolves with the last one.
 */
export function followJob(id: string, onJob: (job: JobView) => void): Promise<JobView | null> {
  return new Promise((resolve) => {
    let buf = '';
    let last: JobView | null = null;
    const take = (line: string) => {
      if (!line.trim()) return;
      try {
        last = JSON.parse(line) as JobView;
        onJob(last);
      } catch {
        // a broken line: skip it, the next one carries the whole job again
      }
    };
    http()
      .request({ method: 'GET', path: `/v1/jobs/${encodeURIComponent(id)}/events`, body: '' })
      .stream((chunk) => {
        buf += chunk;
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          take(buf.slice(0, i));
          buf = buf.slice(i + 1);
        }
      })
      .then(
        () => {
          take(buf);
          resolve(last);
        },
        () => resolve(last),
      );
  });
}
