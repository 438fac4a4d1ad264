import { readFileSync } from 'node:fs';

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
