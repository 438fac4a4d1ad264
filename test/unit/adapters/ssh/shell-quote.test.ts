import { execFileSync } from 'node:child_process';
import test from 'ava';

import { shellCommand, shellWord } from '../../../../src/adapters/ssh/shell-quote.js';

test('every word is single-quoted; a quote inside is closed, escaped and reopened', (t) => {
  t.is(shellWord('a b'), `'a b'`);
  t.is(shellWord(`it's`), `'it'\\''s'`);
  t.is(shellCommand(['sha256sum', '--', '/srv/x y/$(id)']), `'sha256sum' '--' '/srv/x y/$(id)'`);
});

test('a POSIX shell reads the words back unchanged', (t) => {
  const words = [`it's`, '$(touch /tmp/never)', '`id`', 'a;b|c&d', '*', "''", '\\', '"', ''];
  const out = execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${words.map(shellWord).join(' ')}`]);
  t.deepEqual(out.toString('utf8').split('\0').slice(0, -1), words);
});

test('NUL and newlines are refused', (t) => {
  t.throws(() => shellWord('a\nb'), { message: /refusing to quote/ });
  t.throws(() => shellWord('a\0b'));
  t.throws(() => shellCommand([]));
});
