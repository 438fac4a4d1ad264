/** The small part of Cockpit's `cockpit.js` (base1, loaded by index.html) this plugin uses. */

interface CockpitHttpError {
  readonly status?: number;
  readonly reason?: string;
  readonly message: string;
  /** Set when the channel itself failed (e.g. `not-found`: no such socket). */
  readonly problem?: string | null;
}

interface CockpitHttpRequest {
  then(ok: (body: string) => void, fail: (err: CockpitHttpError, body?: string) => void): CockpitHttpRequest;
  stream(cb: (chunk: string) => void): CockpitHttpRequest;
  response(cb: (status: number, headers: Record<string, string>) => void): CockpitHttpRequest;
  close(problem?: string): CockpitHttpRequest;
}

interface CockpitHttpClient {
  request(req: {
    method: string;
    path: string;
    body: string;
    headers?: Record<string, string>;
  }): CockpitHttpRequest;
  close(): void;
}

interface Cockpit {
  http(options: { unix: string; superuser?: 'try' | 'require' }): CockpitHttpClient;
  transport: { wait(cb: () => void): void };
}

declare const cockpit: Cockpit;
