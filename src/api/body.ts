/**
 * Reading a request body: JSON only (content-type absent or JSON), at most `limit` bytes. A body
 * over the limit is 413 BODY_TOO_LARGE, answered once the body has been read and dropped (up to
 * `drainLimit`, 16 MiB): closing a connection with unread bytes resets it, and the client would
 * see ECONNRESET instead of the 413. Larger bodies are refused at once, the rest unread. How long
 * the client may take is bounded by the server's request timeout (http-limits.ts: 408).
 */

import type { IncomingMessage } from 'node:http';

import { VirtpointError } from '../core/errors.js';

export const DEFAULT_BODY_LIMIT = 1024 * 1024;
/** Bytes of an oversized body read and dropped before the 413, so the answer reaches the client. */
export const DEFAULT_DRAIN_LIMIT = 16 * 1024 * 1024;

/** `application/json`, `application/<anything>+json`, any parameters (charset); or no header. */
export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined || header.trim() === '') return true;
  const type = (header.split(';')[0] ?? '').trim().toLowerCase();
  return type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type);
}

function tooLarge(limit: number): VirtpointError {
  return new VirtpointError('BODY_TOO_LARGE', `the request body is larger than ${limit} bytes`);
}

/**
 * The raw body, or '' when there is none. Throws BODY_TOO_LARGE once a body over `limit` has been
 * read and dropped (at once, unread, when it is over `drainLimit`: by content-length, or as the
 * bytes pass it) and INVALID_ARGUMENT for a body that is not declared as JSON or is not UTF-8.
 */
export async function readBody(
  req: IncomingMessage,
  limit: number,
  drainLimit = DEFAULT_DRAIN_LIMIT,
): Promise<string> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > Math.max(limit, drainLimit)) throw tooLarge(limit);
  const hasBody =
    (declared !== undefined && declared !== '0') || req.headers['transfer-encoding'] !== undefined;
  if (hasBody && !isJsonContentType(req.headers['content-type'])) {
    throw new VirtpointError(
      'INVALID_ARGUMENT',
      `content-type ${JSON.stringify(req.headers['content-type'])} is not accepted; send application/json ` +
        `(curl: -H 'content-type: application/json' or --json)`,
    );
  }
  if (!hasBody) return '';
  const buffer = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > Math.max(limit, drainLimit)) {
        cleanup();
        req.pause();
        reject(tooLarge(limit));
        return;
      }
      if (size > limit)
        chunks.length = 0; // over the limit: drop, keep reading to the end
      else chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      if (size > limit) reject(tooLarge(limit));
      else resolve(Buffer.concat(chunks));
    };
    const onError = (e: Error) => {
      cleanup();
      reject(new VirtpointError('INVALID_ARGUMENT', `reading the request body failed: ${e.message}`));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buffer);
  } catch {
    throw new VirtpointError('INVALID_ARGUMENT', 'the request body is not valid UTF-8');
  }
}

/** The body parsed as JSON; no body → undefined. Bad JSON → INVALID_ARGUMENT. */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const text = await readBody(req, limit);
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    throw new VirtpointError('INVALID_ARGUMENT', `the request body is not valid JSON: ${detail}`);
  }
}
