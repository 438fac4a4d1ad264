import { createHmac } from 'node:crypto';
import test from 'ava';

import { isPinned, knownHostsName, pinnedKeys } from '../../../../src/adapters/ssh/known-hosts.js';

const k1 = Buffer.from('key-one');
const k2 = Buffer.from('key-two');
const b = (k: Buffer): string => k.toString('base64');

test('the name of host:port in known_hosts', (t) => {
  t.is(knownHostsName('nas.lan', 22), 'nas.lan');
  t.is(knownHostsName('127.0.0.1', 2222), '[127.0.0.1]:2222');
  t.is(knownHostsName('[::1]', 2222), '[::1]:2222');
});

test('plain, wildcard, negated and hashed host patterns', (t) => {
  const salt = Buffer.from('0123456789abcdefghij');
  const hash = createHmac('sha1', salt).update('[10.0.0.9]:2222').digest('base64');
  const file = [
    '# comment',
    `[127.0.0.1]:2222 ssh-ed25519 ${b(k1)} host`,
    `*.lan,!evil.lan ssh-ed25519 ${b(k2)}`,
    `|1|${salt.toString('base64')}|${hash} ssh-ed25519 ${b(k2)}`,
    `@cert-authority * ssh-ed25519 ${b(k1)}`,
    '',
  ].join('\n');
  t.deepEqual(pinnedKeys(file, '127.0.0.1', 2222).keys, [k1]);
  t.deepEqual(pinnedKeys(file, '127.0.0.1', 22).keys, []);
  t.deepEqual(pinnedKeys(file, 'nas.lan', 22).keys, [k2]);
  t.deepEqual(pinnedKeys(file, 'evil.lan', 22).keys, []);
  t.deepEqual(pinnedKeys(file, '10.0.0.9', 2222).keys, [k2]);
  t.deepEqual(pinnedKeys(file, 'other', 22).keys, [], 'cert-authority lines pin nothing');
});

test('a pinned key is accepted, another or a revoked one refused (no trust on first use)', (t) => {
  const file = `nas ssh-ed25519 ${b(k1)}\nnas ssh-rsa ${b(k2)}\n@revoked nas ssh-rsa ${b(k2)}\n`;
  const p = pinnedKeys(file, 'nas', 22);
  t.true(isPinned(p, k1));
  t.false(isPinned(p, k2));
  t.false(isPinned(p, Buffer.from('other')));
  t.false(isPinned(pinnedKeys('', 'nas', 22), k1));
});
