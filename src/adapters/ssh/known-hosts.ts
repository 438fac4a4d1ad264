/**
 * The host keys a known_hosts file pins for one host (OpenSSH format, sshd(8) "SSH_KNOWN_HOSTS
 * FILE FORMAT"): plain or hashed (`|1|salt|hash`) host patterns, `*`/`?` wildcards, `!`
 * negation, `[host]:port` for a port other than 22; `@revoked` keys are refused, `@cert-authority`
 * lines ignored (no certificates). There is no trust on first use: a host with no key here is
 * refused like a wrong key.
 */

import { createHmac } from 'node:crypto';

export interface PinnedKeys {
  readonly keys: readonly Buffer[];
  readonly revoked: readonly Buffer[];
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 'i');
}

function hashedMatch(pattern: string, name: string): boolean {
  const m = /^\|1\|([^|]+)\|([^|]+)$/.exec(pattern);
  if (m === null) return false;
  const mac = createHmac('sha1', Buffer.from(m[1] ?? '', 'base64'))
    .update(name)
    .digest('base64');
  return mac === m[2];
}

function hostMatches(patterns: string, name: string): boolean {
  if (patterns.startsWith('|')) return hashedMatch(patterns, name);
  let hit = false;
  for (const p of patterns.split(',')) {
    const negated = p.startsWith('!');
    const glob = negated ? p.slice(1) : p;
    if (globToRegExp(glob).test(name)) {
      if (negated) return false;
      hit = true;
    }
  }
  return hit;
}

/** The name known_hosts uses for host:port. */
export function knownHostsName(host: string, port: number): string {
  const h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return port === 22 ? h : `[${h}]:${port}`;
}

export function pinnedKeys(knownHosts: string, host: string, port: number): PinnedKeys {
  const name = knownHostsName(host, port);
  const keys: Buffer[] = [];
  const revoked: Buffer[] = [];
  for (const raw of knownHosts.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    let marker: string | null = null;
    if (fields[0]?.startsWith('@') === true) marker = fields.shift() ?? null;
    if (marker === '@cert-authority') continue;
    const [patterns, , b64] = fields;
    if (patterns === undefined || b64 === undefined || !hostMatches(patterns, name)) continue;
    const key = Buffer.from(b64, 'base64');
    if (key.length === 0) continue;
    (marker === '@revoked' ? revoked : keys).push(key);
  }
  return { keys, revoked };
}

/** Whether the host key the server presented is pinned (and not revoked). */
export function isPinned(pinned: PinnedKeys, key: Buffer): boolean {
  if (pinned.revoked.some((k) => k.equals(key))) return false;
  return pinned.keys.some((k) => k.equals(key));
}
