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
