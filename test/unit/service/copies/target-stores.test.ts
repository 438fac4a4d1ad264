import test from 'ava';

import { SqliteCatalog } from '../../../../src/adapters/sqlite/sqlite-catalog.js';
import { VirtpointError } from '../../../../src/core/errors.js';
import type { S3TargetConfig, SshTargetConfig } from '../../../../src/ports/copies-catalog.js';
import type { SecretFiles } from '../../../../src/ports/secret-files.js';
import { TargetStores } from '../../../../src/service/copies/target-stores.js';
import { SECRET } from '../../../../src/service/copies/targets.js';
import { ThrottledTarget } from '../../../../src/service/copies/throttle.js';
import { FakeClock } from '../../../fakes/fake-host.js';
import { FakeTarget } from '../../../helpers/fake-target.js';

function setup() {
  const catalog = new SqliteCatalog({ path: ':memory:' });
  const kept = new Map<string, Buffer>();
  const secrets: SecretFiles = {
    stat: () => Promise.reject(new Error('unused')),
    read: () => Promise.reject(new Error('unused')),
    keep: (id, name, bytes) => Promise.resolve(void kept.set(`${id}/${name}`, bytes)),
    load: (id, name) => {
      const b = kept.get(`${id}/${name}`);
      return b === undefined
        ? Promise.reject(new VirtpointError('NOT_FOUND', 'no file'))
        : Promise.resolve(b);
    },
    forget: () => Promise.resolve(),
  };
  const opened: unknown[] = [];
  const stores = new TargetStores({
    catalog,
    secrets,
    clock: new FakeClock(),
    adapters: {
      s3: (c: S3TargetConfig, secret: string) => (opened.push({ c, secret }), new FakeTarget()),
      ssh: (c: SshTargetConfig, identity: Buffer, knownHosts: string) => (
        opened.push({ c, identity: identity.toString(), knownHosts }),
        new FakeTarget()
      ),
    },
  });
  return { catalog, kept, stores, opened };
}

const s3: S3TargetConfig = {
  kind: 's3',
  endpoint: 'http://127.0.0.1:7480',
  bucket: 'vp',
  prefix: '',
  region: 'us-east-1',
  accessKeyId: 'AK',
};
const ssh: SshTargetConfig = { kind: 'ssh', user: 'u', host: 'nas', port: 22, path: '/srv/vp' };

test('an S3 target opens with the daemon’s copy of its secret (trimmed), paced when it has a bwlimit', async (t) => {
  const { catalog, kept, stores, opened } = setup();
  const a = catalog.copies.addTarget({
    name: 'a',
    config: s3,
    keyId: null,
    bwlimit: null,
    retention: 'forever',
  });
  const b = catalog.copies.addTarget({
    name: 'b',
    config: s3,
    keyId: null,
    bwlimit: 1 << 20,
    retention: 'forever',
  });
  kept.set(`${a.id}/${SECRET.s3SecretKey}`, Buffer.from('secret-a\n'));
  kept.set(`${b.id}/${SECRET.s3SecretKey}`, Buffer.from('secret-b'));
  t.true((await stores.open(a.id)) instanceof FakeTarget);
  t.true((await stores.open('b')) instanceof ThrottledTarget);
  t.deepEqual(opened, [
    { c: s3, secret: 'secret-a' },
    { c: s3, secret: 'secret-b' },
  ]);
  t.is(await stores.encryptionKey(a.id), null);
});

test('an SSH target opens with its identity and pinned known_hosts; the encryption key when it has one', async (t) => {
  const { catalog, kept, stores, opened } = setup();
  const x = catalog.copies.addTarget({
    name: 'x',
    config: ssh,
    keyId: 'abcdef0123456789',
    bwlimit: null,
    retention: 'forever',
  });
  kept.set(`${x.id}/${SECRET.sshIdentity}`, Buffer.from('KEY'));
  kept.set(`${x.id}/${SECRET.knownHosts}`, Buffer.from('nas ssh-ed25519 AAAA\n'));
  kept.set(`${x.id}/${SECRET.encryptKey}`, Buffer.alloc(32, 7));
  await stores.open(x.id);
  t.deepEqual(opened, [{ c: ssh, identity: 'KEY', knownHosts: 'nas ssh-ed25519 AAAA\n' }]);
  t.deepEqual(await stores.encryptionKey(x.id), Buffer.alloc(32, 7));
});

test('a missing secret copy says to add the target again; an unknown target is TARGET_NOT_FOUND', async (t) => {
  const { catalog, stores } = setup();
  catalog.copies.addTarget({ name: 'x', config: ssh, keyId: null, bwlimit: null, retention: 'forever' });
  const e = await t.throwsAsync(stores.open('x'));
  t.is((e as VirtpointError).code, 'TARGET_AUTH_FAILED');
  t.regex((e as Error).message, /remove the target and add it again/);
  t.is(((await t.throwsAsync(stores.open('nope'))) as VirtpointError).code, 'TARGET_NOT_FOUND');
});
