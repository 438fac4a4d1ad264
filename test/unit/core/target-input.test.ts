import test from 'ava';

import {
  bucketName,
  bwlimit,
  objectPrefix,
  remoteRetention,
  s3Endpoint,
  sshLocation,
  targetName,
} from '../../../src/core/target-input.js';

const refused = { code: 'INVALID_ARGUMENT' };

test('target names', (t) => {
  t.is(targetName('offsite-1'), 'offsite-1');
  for (const n of ['', '-x', 'a b', 'a/b', 'x'.repeat(64)]) t.throws(() => targetName(n), refused, n);
});

test('S3 endpoints: scheme, host, port only; no credentials, no path', (t) => {
  t.is(s3Endpoint('http://127.0.0.1:7480'), 'http://127.0.0.1:7480');
  t.is(s3Endpoint('https://s3.eu-west-1.amazonaws.com/'), 'https://s3.eu-west-1.amazonaws.com');
  t.throws(() => s3Endpoint('ftp://x'), refused);
  t.throws(() => s3Endpoint('http://ak:sk@host'), { ...refused, message: /secret-key-file/ });
  t.throws(() => s3Endpoint('http://host/bucket'), { ...refused, message: /--bucket/ });
  t.throws(() => s3Endpoint('not a url'), refused);
});

test('buckets and prefixes', (t) => {
  t.is(bucketName('vp-backups.1'), 'vp-backups.1');
  for (const b of ['ab', 'Upper', 'a..b', '-ab']) t.throws(() => bucketName(b), refused, b);
  t.is(objectPrefix('/site/a/'), 'site/a');
  t.is(objectPrefix(''), '');
  for (const p of ['a/../b', 'a/./b', 'a b', 'a//b']) t.throws(() => objectPrefix(p), refused, p);
});

test('SSH locations: USER@HOST[:PORT]:/PATH, IPv6 in brackets, absolute path without ..', (t) => {
  t.deepEqual(sshLocation('backup@nas.lan:/srv/vp/'), {
    user: 'backup',
    host: 'nas.lan',
    port: 22,
    path: '/srv/vp',
  });
  t.deepEqual(sshLocation('u@127.0.0.1:2222:/d'), { user: 'u', host: '127.0.0.1', port: 2222, path: '/d' });
  t.deepEqual(sshLocation('u@[::1]:2222:/d'), { user: 'u', host: '::1', port: 2222, path: '/d' });
  for (const s of ['nas:/d', 'u@nas:rel', 'u@nas:99999:/d', 'u@nas:/a/../b', 'U@nas:/d']) {
    t.throws(() => sshLocation(s), refused, s);
  }
});

test('bandwidth limits in bytes per second', (t) => {
  t.is(bwlimit('50M'), 50 * 1024 * 1024);
  t.is(bwlimit('800k'), 800 * 1024);
  t.is(bwlimit('1.5G'), 1.5 * 1024 ** 3);
  t.is(bwlimit('10MB/s'), 10 * 1024 * 1024);
  for (const s of ['', 'fast', '10T', '1K']) t.throws(() => bwlimit(s), refused, s);
});

test('remote retention: forever, chains:N, days:N', (t) => {
  t.is(remoteRetention('forever'), 'forever');
  t.is(remoteRetention('chains:03'), 'chains:3');
  t.is(remoteRetention('days:30'), 'days:30');
  for (const s of ['chains:0', 'count:3', 'days:x', 'chains:1001'])
    t.throws(() => remoteRetention(s), refused, s);
});
