import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import test from 'ava';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Client } from 'ssh2';
import { s3Server, sshServer } from '../../helpers/test-servers.js';

// The servers `npm run test:e2e` starts (scripts/test-servers/): a real Ceph RGW and a real
// sshd, and the server behaviour the S3 and SSH adapters rely on (offhost-facts.md).

function s3(): S3Client {
  const s = s3Server();
  return new S3Client({
    endpoint: s.endpoint,
    region: s.region,
    forcePathStyle: true,
    credentials: {
      accessKeyId: readFileSync(s.accessKeyIdFile, 'utf8').trim(),
      secretAccessKey: readFileSync(s.secretKeyFile, 'utf8').trim(),
    },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

test('Ceph RGW: a put reads back; Content-MD5 is checked; If-None-Match: * refuses an existing key', async (t) => {
  const client = s3();
  const bucket = `vpt-${randomBytes(3).toString('hex')}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  const body = randomBytes(64 * 1024);
  const md5 = createHash('md5').update(body).digest('base64');
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'a', Body: body, ContentMD5: md5 }));
  const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'a' }));
  t.deepEqual(Buffer.from(await got.Body!.transformToByteArray()), body);

  const wrong = createHash('md5').update('other').digest('base64');
  const bad = await t.throwsAsync(
    client.send(new PutObjectCommand({ Bucket: bucket, Key: 'b', Body: body, ContentMD5: wrong })),
  );
  t.is((bad as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode, 400);

  const exists = await t.throwsAsync(
    client.send(new PutObjectCommand({ Bucket: bucket, Key: 'a', Body: body, IfNoneMatch: '*' })),
  );
  t.is((exists as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode, 412);
  await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'a' }));
  client.destroy();
});

function knownHostKey(file: string): Buffer {
  const line = readFileSync(file, 'utf8').trim().split('\n')[0]!;
  return Buffer.from(line.split(/\s+/)[2]!, 'base64');
}

function sshExec(pinned: Buffer, command: string): Promise<string> {
  const s = sshServer();
  return new Promise((resolve, reject) => {
    const c = new Client();
    c.on('error', reject)
      .on('ready', () => {
        c.exec(command, (err, stream) => {
          if (err) return reject(err);
          let out = '';
          stream
            .on('data', (d: Buffer) => (out += d.toString()))
            .on('close', () => {
              c.end();
              resolve(out);
            });
        });
      })
      .connect({
        host: s.host,
        port: s.port,
        username: s.user,
        privateKey: readFileSync(s.identityFile),
        hostVerifier: (key: Buffer) => key.equals(pinned),
        readyTimeout: 10_000,
      });
  });
}

test('sshd: a key login with the pinned host key runs a command; another host key is refused', async (t) => {
  const s = sshServer();
  const pinned = knownHostKey(s.knownHostsFile);
  t.is((await sshExec(pinned, `test -w ${s.path} && echo writable`)).trim(), 'writable');
  const other = Buffer.from(pinned);
  other[other.length - 1] = other.at(-1)! ^ 0xff;
  await t.throwsAsync(sshExec(other, 'true'));
});
