/**
 * Webhook receiver: POST the payload as JSON over http or https (node:http/https, no proxy).
 *
 * - Each try has a deadline (default 10 s) covering connect, request and response.
 * - 3 retries (4 tries) with exponential backoff 1 s, 2 s, 4 s, on network errors, timeouts,
 *   HTTP 5xx and 429. Other 4xx and unfollowed redirects fail at once: retrying will not help.
 * - Redirects: 307 and 308 (which keep the method and body) are followed, at most 3 per try, and
 *   only to the same scheme. 301/302/303 would turn the POST into a GET and are reported as
 *   failures naming the new location, so the operator updates the receiver.
 * - The response body is discarded: at most 64 KiB is read (the first bytes go into the error
 *   message of a failed try), then the connection is closed.
 *
 * Never rejects; every failure is a DeliveryResult with a coded error.
 */
import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import type { CodedError } from '../../ports/catalog.js';
import type { DeliveryResult, Notification } from '../../ports/notifier.js';
import { redactUrl, webhookUrlProblem } from './receiver.js';

export interface WebhookOptions {
  /** Deadline of one try, in ms (default 10 000). */
  readonly timeoutMs?: number;
  /** Tries after the first (default 3). */
  readonly retries?: number;
  /** Backoff before retry n is retryDelayMs × 2^(n-1) (default 1000: 1 s, 2 s, 4 s). */
  readonly retryDelayMs?: number;
  /** The User-Agent header; whoever builds the notifier passes `virtpoint/<version>`. Default `virtpoint`. */
  readonly userAgent?: string;
  /** Response bytes read before the connection is closed (default 64 KiB). */
  readonly maxResponseBytes?: number;
  /** Waits between tries (tests may replace it). */
  readonly sleep?: (ms: number) => Promise<void>;
}

const MAX_REDIRECTS = 3;
const SNIPPET_BYTES = 512;

type TryResult =
  | { readonly ok: true; readonly status: number }
  | {
      readonly ok: false;
      readonly retryable: boolean;
      readonly error: CodedError;
      readonly status?: number;
    };

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function sendWebhook(
  url: string,
  payload: Notification,
  opts: WebhookOptions = {},
): Promise<DeliveryResult> {
  const started = performance.now();
  const receiver = `webhook:${redactUrl(url)}`;
  const elapsed = () => Math.round(performance.now() - started);
  const problem = webhookUrlProblem(url);
  if (problem !== undefined) {
    const error: CodedError = { code: 'INVALID_ARGUMENT', message: `webhook ${receiver}: ${problem}` };
    return { receiver, ok: false, attempts: 0, error, durationMs: elapsed() };
  }
  const retries = Math.max(0, opts.retries ?? 3);
  const delay = opts.retryDelayMs ?? 1000;
  const sleep = opts.sleep ?? defaultSleep;
  const body = Buffer.from(JSON.stringify(payload), 'utf8');
  const tryOpts: TryOptions = {
    timeoutMs: opts.timeoutMs ?? 10_000,
    userAgent: opts.userAgent ?? 'virtpoint',
    maxResponseBytes: opts.maxResponseBytes ?? 64 * 1024,
  };

  let attempts = 0;
  while (true) {
    attempts++;
    let r: TryResult;
    try {
      r = await postFollowing(new URL(url), body, tryOpts);
    } catch (e) {
      // Not expected (postOnce settles every path), but the contract is: never reject.
      r = { ok: false, retryable: false, error: { code: 'INTERNAL', message: redactUrl(String(e)) } };
    }
    if (r.ok) return { receiver, ok: true, attempts, httpStatus: r.status, durationMs: elapsed() };
    if (!r.retryable || attempts > retries) {
      const error: CodedError = {
        code: r.error.code,
        message:
          `webhook ${receiver}: ${r.error.message}` +
          (attempts > 1 ? ` (gave up after ${attempts} tries)` : ''),
      };
      return {
        receiver,
        ok: false,
        attempts,
        error,
        ...(r.status === undefined ? {} : { httpStatus: r.status }),
        durationMs: elapsed(),
      };
    }
    await sleep(delay * 2 ** (attempts - 1));
  }
}

interface TryOptions {
  readonly timeoutMs: number;
  readonly userAgent: string;
  readonly maxResponseBytes: number;
}

/** One try: a POST, following same-scheme 307/308 redirects, all within one deadline. */
async function postFollowing(url: URL, body: Buffer, opts: TryOptions): Promise<TryResult> {
  const deadline = performance.now() + opts.timeoutMs;
  let current = url;
  for (let hop = 0; ; hop++) {
    const left = Math.max(1, Math.round(deadline - performance.now()));
    const r = await postOnce(current, body, opts, left);
    if (r.kind !== 'redirect') return r.result;
    const where = redactUrl(r.location.href);
    if (r.status !== 307 && r.status !== 308) {
      return failed(
        false,
        `HTTP ${r.status} redirect to ${where} not followed; update the receiver URL`,
        r.status,
      );
    }
    if (r.location.protocol !== current.protocol) {
      return failed(false, `HTTP ${r.status} redirect to another scheme (${where}) not followed`, r.status);
    }
    if (hop >= MAX_REDIRECTS) return failed(false, `more than ${MAX_REDIRECTS} redirects`, r.status);
    current = r.location;
  }
}

function failed(retryable: boolean, message: string, status?: number): TryResult {
  return {
    ok: false,
    retryable,
    error: { code: 'IO_ERROR', message },
    ...(status === undefined ? {} : { status }),
  };
}

type OnceResult =
  | { readonly kind: 'done'; readonly result: TryResult }
  | { readonly kind: 'redirect'; readonly status: number; readonly location: URL };

function postOnce(url: URL, body: Buffer, opts: TryOptions, timeoutMs: number): Promise<OnceResult> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (r: OnceResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(r);
    };
    const done = (result: TryResult) => settle({ kind: 'done', result });

    const request = url.protocol === 'https:' ? https.request : http.request;
    const req = request(url, {
      method: 'POST',
      agent: false,
      headers: {
        'content-type': 'application/json',
        'content-length': String(body.length),
        'user-agent': opts.userAgent,
      },
    });
    const timer = setTimeout(
      () => done(failed(true, `no answer within ${opts.timeoutMs} ms (timeout)`)),
      timeoutMs,
    );

    req.on('error', (e: NodeJS.ErrnoException) => {
      done(failed(true, `POST failed: ${redactUrl(e.message)}`)); // messages may quote the URL
    });
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      const locationHeader = res.headers.location;
      const chunks: Buffer[] = [];
      let seen = 0;
      const finish = () => {
        if (status >= 200 && status < 300) return done({ ok: true, status });
        if (status >= 300 && status < 400 && locationHeader !== undefined) {
          let location: URL;
          try {
            location = new URL(locationHeader, url);
          } catch {
            return done(failed(false, `HTTP ${status} with an invalid Location header`, status));
          }
          return settle({ kind: 'redirect', status, location });
        }
        const text = Buffer.concat(chunks).toString('utf8').replace(/\s+/g, ' ').trim();
        const snippet = text === '' ? '' : `: ${text.slice(0, SNIPPET_BYTES)}`;
        const retryable = status >= 500 || status === 429;
        done(
          failed(
            retryable,
            `HTTP ${status}${res.statusMessage ? ` ${res.statusMessage}` : ''}${snippet}`,
            status,
          ),
        );
      };
      res.on('data', (chunk: Buffer) => {
        if (seen < SNIPPET_BYTES) chunks.push(chunk.subarray(0, SNIPPET_BYTES - seen));
        seen += chunk.length;
        if (seen >= opts.maxResponseBytes) finish();
      });
      res.on('end', finish);
      res.on('error', finish);
      res.on('close', finish);
    });
    req.end(body);
  });
}
