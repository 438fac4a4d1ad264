/**
 * What an operator types when adding a target (docs/copies.md), checked and parsed: names, the
 * S3 endpoint URL, bucket and prefix, `USER@HOST[:PORT]:/PATH`, `--bwlimit 50M`, remote
 * retention. Pure; every refusal is INVALID_ARGUMENT with the accepted form.
 */

import { VirtpointError } from './errors.js';

const bad = (message: string) => new VirtpointError('INVALID_ARGUMENT', message);

export function targetName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(name)) {
    throw bad(
      `target name ${JSON.stringify(name)}: 1–63 letters, digits, '_', '.', '-', starting with a letter or digit`,
    );
  }
  return name;
}

/** An S3 endpoint: http(s)://host[:port] with no path, query or credentials. */
export function s3Endpoint(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw bad(`--s3 ${JSON.stringify(url)} is not a URL: give e.g. http://127.0.0.1:7480`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw bad(`--s3 must be http:// or https://, got ${u.protocol}`);
  if (u.username !== '' || u.password !== '') {
    throw bad('--s3 must not carry credentials: use --access-key-id and --secret-key-file');
  }
  if ((u.pathname !== '/' && u.pathname !== '') || u.search !== '' || u.hash !== '') {
    throw bad(`--s3 is the endpoint only (scheme, host, port), got ${url}: give the bucket with --bucket`);
  }
  return `${u.protocol}//${u.host}`;
}

export function bucketName(bucket: string): string {
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket) || bucket.includes('..')) {
    throw bad(`bucket ${JSON.stringify(bucket)}: 3–63 lower-case letters, digits, '.', '-'`);
  }
  return bucket;
}

/** An object-name prefix: segments of [A-Za-z0-9._-] joined by '/', no '.' or '..' segment; '' for none. */
export function objectPrefix(prefix: string): string {
  const p = prefix.replace(/^\/+|\/+$/g, '');
  if (p === '') return '';
  if (p.length > 200 || !p.split('/').every((s) => /^[A-Za-z0-9._-]+$/.test(s) && s !== '.' && s !== '..')) {
    throw bad(`--prefix ${JSON.stringify(prefix)}: segments of letters, digits, '.', '_', '-' joined by '/'`);
  }
  return p;
}

export interface SshLocation {
  readonly user: string;
  readonly host: string;
  readonly port: number;
  readonly path: string;
}

/** `USER@HOST[:PORT]:/PATH` (HOST may be `[v6 address]`). */
export function sshLocation(spec: string): SshLocation {
  const m = /^([a-z_][a-z0-9_.-]{0,31})@(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?:(\/.*)$/.exec(
    spec,
  );
  if (m === null) throw bad(`--ssh ${JSON.stringify(spec)}: give USER@HOST[:PORT]:/ABSOLUTE/PATH`);
  const port = m[3] === undefined ? 22 : Number(m[3]);
  if (port < 1 || port > 65535) throw bad(`--ssh port ${port} is not 1–65535`);
  const path = m[4]!.replace(/\/+$/, '') || '/';
  if (path.split('/').some((s) => s === '..') || /[\0\n]/.test(path)) {
    throw bad(`--ssh path ${JSON.stringify(m[4])} must not contain '..'`);
  }
  return { user: m[1]!, host: m[2]!.replace(/^\[|\]$/g, ''), port, path };
}

const UNITS: Readonly<Record<string, number>> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 };

/** `50M` → bytes per second (K, M, G powers of 1024; at least 64K). */
export function bwlimit(spec: string): number {
  const m = /^(\d+(?:\.\d+)?)([KMG]?)(?:i?B?(?:\/s)?)?$/i.exec(spec.trim());
  if (m === null) throw bad(`--bwlimit ${JSON.stringify(spec)}: give bytes per second, e.g. 50M or 800K`);
  const bytes = Math.floor(Number(m[1]) * UNITS[m[2]!.toUpperCase()]!);
  if (bytes < 64 * 1024) throw bad(`--bwlimit ${spec} is below 64K per second`);
  return bytes;
}

/** Remote retention: `forever` | `chains:N` (1–1000) | `days:N` (1–36500). */
export function remoteRetention(spec: string): string {
  if (spec === 'forever') return spec;
  const m = /^(chains|days):(\d+)$/.exec(spec);
  const max = m?.[1] === 'chains' ? 1000 : 36500;
  if (m === null || Number(m[2]) < 1 || Number(m[2]) > max) {
    throw bad(`retention ${JSON.stringify(spec)}: give forever, chains:N (1–1000) or days:N (1–36500)`);
  }
  return `${m[1]}:${Number(m[2])}`;
}
