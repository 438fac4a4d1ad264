import test from 'ava';

import { targetAddInput } from '../../../../src/cli/commands/target-add.js';

const base = { socket: '/x', json: false, debug: false } as never;

test('target add: file options become absolute paths; exactly one of --s3/--ssh; each kind needs its options', (t) => {
  t.deepEqual(
    targetAddInput(
      {
        ...(base as object),
        name: 'offsite',
        s3: 'http://127.0.0.1:7480',
        bucket: 'b',
        accessKeyId: 'AK',
        secretKeyFile: 'keys/s3',
        encryptKeyFile: '/etc/vp/key',
      } as never,
      '/home/op',
    ),
    {
      name: 'offsite',
      s3: { url: 'http://127.0.0.1:7480', bucket: 'b', accessKeyId: 'AK', secretKeyFile: '/home/op/keys/s3' },
      encryptKeyFile: '/etc/vp/key',
    },
  );
  t.throws(() => targetAddInput({ ...(base as object), name: 'x' } as never), { message: /exactly one/ });
  t.throws(() => targetAddInput({ ...(base as object), name: 'x', s3: 'http://h', ssh: 'u@h:/d' } as never), {
    message: /exactly one/,
  });
  t.throws(() => targetAddInput({ ...(base as object), name: 'x', ssh: 'u@h:/d', identity: 'id' } as never), {
    message: /--known-hosts/,
  });
});

test('target add: --keep-chains N / --keep-days N are the retention chains:N / days:N; at most one retention option', (t) => {
  const ssh = { ...(base as object), name: 'n', ssh: 'u@h:/d', identity: '/i', knownHosts: '/k' };
  t.is(targetAddInput({ ...ssh, keepChains: 3 } as never).retention, 'chains:3');
  t.is(targetAddInput({ ...ssh, keepDays: 30 } as never).retention, 'days:30');
  t.is(targetAddInput({ ...ssh } as never).retention, undefined);
  t.throws(() => targetAddInput({ ...ssh, keepDays: 3, retention: 'forever' } as never), {
    message: /at most one/,
  });
});
