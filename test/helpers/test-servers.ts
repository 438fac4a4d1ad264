import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chmod, copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';

/**
 * The S3 (Ceph RGW) and SSH servers `npm run test:e2e` starts once per run
 * (scripts/test-servers/run-e2e.sh). A test that needs one calls these: without the servers they
 * throw, so such a test fails loudly instead of skipping.
 */

export interface S3Server {
  readonly endpoint: string;
  readonly region: string;
  readonly accessKeyIdFile: string;
  readonly secretKeyFile: string;
}

export interface SshServer {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly identityFile: string;
  readonly knownHostsFile: string;
  /** A directory the user may write. */
  readonly path: string;
}

function coordinates<T>(variable: string, what: string): T {
  const file = process.env[variable];
  if (file === undefined || file === '') {
    throw new Error(
      `${what} test server is not running (${variable} is unset): run the e2e tests with ` +
        `'npm run test:e2e -- <file>' (scripts/test-servers/run-e2e.sh), which starts it`,
    );
  }
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (e) {
    throw new Error(`${what} test server: cannot read ${file} (${variable}): ${String(e)}`);
  }
}

export function s3Server(): S3Server {
  return coordinates<S3Server>('VIRTPOINT_TEST_S3', 'the S3 (Ceph RGW)');
}

export function sshServer(): SshServer {
  return coordinates<SshServer>('VIRTPOINT_TEST_SSH', 'the SSH');
}

/** The S3 server's access key id and secret (read from its files). */
export async function s3Credentials(s3: S3Server): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  return {
    accessKeyId: (await readFile(s3.accessKeyIdFile, 'utf8')).trim(),
    secretAccessKey: (await readFile(s3.secretKeyFile, 'utf8')).trim(),
  };
}

/** Creates a bucket `<prefix>-<random>` on the S3 test server; returns its name. */
export async function createTestBucket(s3: S3Server, prefix: string): Promise<string> {
  const bucket = `${prefix}-${randomBytes(3).toString('hex')}`;
  const c = new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: await s3Credentials(s3),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 60_000, throwOnRequestTimeout: true },
  });
  try {
    await c.send(new CreateBucketCommand({ Bucket: bucket }));
  } finally {
    c.destroy();
  }
  return bucket;
}

/** The files an operator hands to `target add`, written under `dir` (it must exist). */
export interface TargetFiles {
  /** A fresh 32-byte encryption key (0600). */
  readonly key: string;
  /** The S3 secret key (0600). */
  readonly s3: string;
  /** The SSH identity (0600) and the pinned known_hosts (0644). */
  readonly id: string;
  readonly kh: string;
}

export async function writeTargetFiles(dir: string, s3: S3Server, ssh: SshServer): Promise<TargetFiles> {
  const files = {
    key: join(dir, 'enc.key'),
    s3: join(dir, 's3.secret'),
    id: join(dir, 'ssh.id'),
    kh: join(dir, 'known_hosts'),
  };
  await writeFile(files.key, randomBytes(32), { mode: 0o600 });
  await writeFile(files.s3, (await s3Credentials(s3)).secretAccessKey, { mode: 0o600 });
  await copyFile(ssh.identityFile, files.id);
  await chmod(files.id, 0o600);
  await copyFile(ssh.knownHostsFile, files.kh);
  await chmod(files.kh, 0o644);
  return files;
}
