import test from 'ava';

import type { NewTarget } from '../../../../src/ports/copies-catalog.js';
import { memoryCatalog, newPoint, U1 } from './_catalog.js';

const S3: NewTarget = {
  name: 'offsite',
  config: {
    kind: 's3',
    endpoint: 'http://127.0.0.1:7480',
    bucket: 'b',
    prefix: 'vp',
    region: 'default',
    accessKeyId: 'AK',
  },
  keyId: 'k-1234',
  bwlimit: null,
  retention: 'forever',
};
const SSH: NewTarget = {
  name: 'nas',
  config: { kind: 'ssh', user: 'backup', host: 'nas.lan', port: 22, path: '/srv/vp' },
  keyId: null,
  bwlimit: 50 * 1024 * 1024,
  retention: 'chains:2',
};

function withPoint() {
  const { catalog } = memoryCatalog();
  catalog.upsertDomain({ uuid: U1, name: 'web' });
  const chain = catalog.createChain({ domainUuid: U1, diskSet: ['vda', 'vdb'] });
  const point = catalog.createPoint(newPoint(U1, chain.id, 0));
  return { catalog, point };
}

test('targets: added, found by id or name, listed by name, a taken name refused', (t) => {
  const { catalog } = memoryCatalog();
  const s3 = catalog.copies.addTarget(S3);
  const ssh = catalog.copies.addTarget(SSH);
  t.deepEqual(s3.config, S3.config);
  t.is(s3.keyId, 'k-1234');
  t.deepEqual(catalog.copies.getTarget('nas'), ssh);
  t.deepEqual(catalog.copies.getTarget(ssh.id), ssh);
  t.deepEqual(
    catalog.copies.listTargets().map((x) => x.name),
    ['nas', 'offsite'],
  );
  t.throws(() => catalog.copies.addTarget({ ...SSH, keyId: 'x' }), { code: 'ALREADY_EXISTS' });
  t.throws(() => catalog.copies.requireTarget('nope'), {
    code: 'TARGET_NOT_FOUND',
    message: /target list/,
  });
});

test('copies: one per point × target, updated in place; failed keeps its error; listed by point', (t) => {
  const { catalog, point } = withPoint();
  const s3 = catalog.copies.addTarget(S3);
  const ssh = catalog.copies.addTarget(SSH);
  catalog.copies.setCopy(point.id, s3.id, { state: 'copying', jobId: 'job1' });
  const done = catalog.copies.setCopy(point.id, s3.id, { state: 'copied', bytes: 4096 });
  t.like(done, { state: 'copied', bytes: 4096, jobId: 'job1', targetName: 'offsite', error: null });
  const failed = catalog.copies.setCopy(point.id, ssh.id, {
    state: 'failed',
    error: { code: 'TARGET_UNREACHABLE', message: 'no route' },
  });
  t.deepEqual(failed.error, { code: 'TARGET_UNREACHABLE', message: 'no route' });
  t.deepEqual(
    catalog.copies.listCopies({ pointId: [point.id] }).map((c) => [c.targetName, c.state]),
    [
      ['offsite', 'copied'],
      ['nas', 'failed'],
    ],
  );
  t.is(catalog.copies.listCopies({ targetId: ssh.id }).length, 1);
  t.is(catalog.copies.listCopies({ pointId: [] }).length, 0);
  t.throws(() => catalog.copies.setCopy('nopoint', s3.id, { state: 'copying' }), {
    code: 'POINT_NOT_FOUND',
  });
});

test('a target with a copy in flight is not removed; once done, removal takes its rows only', (t) => {
  const { catalog, point } = withPoint();
  const s3 = catalog.copies.addTarget(S3);
  const ssh = catalog.copies.addTarget(SSH);
  catalog.copies.setCopy(point.id, s3.id, { state: 'copying' });
  catalog.copies.setCopy(point.id, ssh.id, { state: 'copied' });
  t.throws(() => catalog.copies.removeTarget(s3.id), { code: 'IN_USE' });
  catalog.copies.setCopy(point.id, s3.id, { state: 'copied' });
  catalog.copies.removeTarget('offsite');
  t.is(catalog.copies.getTarget('offsite'), null);
  t.deepEqual(
    catalog.copies.listCopies().map((c) => c.targetName),
    ['nas'],
  );
  t.not(catalog.getPoint(point.id), null);
});

test('uploads: begun once, parts recorded (a part again replaces it), ended with its parts', (t) => {
  const { catalog, point } = withPoint();
  const s3 = catalog.copies.addTarget(S3);
  const u = {
    targetId: s3.id,
    key: 'vp/h/u/c/vda.0.qcow2',
    pointId: point.id,
    file: 'u/c/vda.0.qcow2',
    size: 40 << 20,
    partSize: 16 << 20,
    uploadId: 'mp-1',
  };
  catalog.copies.beginUpload(u);
  t.is(catalog.copies.beginUpload({ ...u, uploadId: 'mp-2' }).uploadId, 'mp-1', 'the one in flight is kept');
  catalog.copies.recordPart(s3.id, u.key, { partNumber: 2, size: 16 << 20, etag: '"b"', checksum: 'B==' });
  catalog.copies.recordPart(s3.id, u.key, { partNumber: 1, size: 16 << 20, etag: '"x"', checksum: 'X==' });
  catalog.copies.recordPart(s3.id, u.key, { partNumber: 1, size: 16 << 20, etag: '"a"', checksum: 'A==' });
  t.deepEqual(
    catalog.copies.getUpload(s3.id, u.key)!.parts.map((p) => [p.partNumber, p.etag]),
    [
      [1, '"a"'],
      [2, '"b"'],
    ],
  );
  t.is(catalog.copies.listUploads(s3.id).length, 1);
  t.throws(
    () => catalog.copies.recordPart(s3.id, 'other', { partNumber: 1, size: 1, etag: null, checksum: 'c' }),
    { code: 'INVALID_STATE' },
  );
  catalog.copies.endUpload(s3.id, u.key);
  t.is(catalog.copies.getUpload(s3.id, u.key), null);
  t.is(catalog.copies.listUploads().length, 0);
});
