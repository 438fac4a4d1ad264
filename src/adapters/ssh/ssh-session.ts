/**
 * One SSH connection (ssh2) with its SFTP channel and exec: the host key is checked against the
 * pinned keys (HOST_KEY_MISMATCH otherwise, no trust on first use), errors are mapped once to
 * TARGET_UNREACHABLE / TARGET_AUTH_FAILED / HOST_KEY_MISMATCH / TARGET_ERROR, with no secret in
 * any message.
 */

import { Client, type SFTPWrapper } from 'ssh2';

import { VirtpointError } from '../../core/errors.js';
import { isPinned, knownHostsName, type PinnedKeys } from './known-hosts.js';
import { UNREACHABLE_ERRNO } from '../net-errors.js';

export interface SshSessionOptions {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly privateKey: Buffer;
  readonly pinned: PinnedKeys;
  readonly connectTimeoutMs?: number;
}

export interface ExecResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export class SshSession {
  private constructor(
    readonly client: Client,
    readonly sftp: SFTPWrapper,
    private readonly where: string,
  ) {}

  closed = false;

  static connect(o: SshSessionOptions): Promise<SshSession> {
    const where = `${o.user}@${knownHostsName(o.host, o.port)}`;
    return new Promise((resolve, reject) => {
      const client = new Client();
      let hostKeyRefused = false;
      let settled = false;
      const fail = (e: Error & { level?: string; code?: string }): void => {
        if (settled) return;
        settled = true;
        client.end();
        if (hostKeyRefused) {
          reject(
            new VirtpointError(
              'HOST_KEY_MISMATCH',
              `ssh ${where}: the host key is not the one pinned in the target's known_hosts: if the host was reinstalled, check its new key out of band, then remove and add the target again with the new known_hosts`,
            ),
          );
        } else if (e.level === 'client-authentication') {
          reject(
            new VirtpointError(
              'TARGET_AUTH_FAILED',
              `ssh ${where}: the server refused the identity key: check the user and that the key's public half is in its authorized_keys`,
            ),
          );
        } else if (e.level === 'client-timeout' || UNREACHABLE_ERRNO.has(e.code ?? '')) {
          reject(
            new VirtpointError(
              'TARGET_UNREACHABLE',
              `ssh ${where}: ${e.code ?? e.message}: check the host, port and network`,
              {
                cause: e,
              },
            ),
          );
        } else {
          reject(new VirtpointError('TARGET_ERROR', `ssh ${where}: ${e.message}`, { cause: e }));
        }
      };
      client
        .on('error', fail)
        .on('ready', () => {
          client.sftp((err, sftp) => {
            if (err !== undefined) return fail(err);
            settled = true;
            const s = new SshSession(client, sftp, where);
            client.on('close', () => (s.closed = true));
            sftp.on('close', () => (s.closed = true));
            resolve(s);
          });
        })
        .on('close', () => fail(new Error('connection closed during the handshake')));
      try {
        client.connect({
          host: o.host.startsWith('[') ? o.host.slice(1, -1) : o.host,
          port: o.port,
          username: o.user,
          privateKey: o.privateKey,
          readyTimeout: o.connectTimeoutMs ?? 15_000,
          keepaliveInterval: 15_000,
          keepaliveCountMax: 4,
          hostVerifier: (key: Buffer) => {
            const ok = isPinned(o.pinned, key);
            if (!ok) hostKeyRefused = true;
            return ok;
          },
        });
      } catch (e) {
        settled = true;
        reject(
          new VirtpointError(
            'TARGET_AUTH_FAILED',
            `ssh ${where}: the identity key cannot be used (${(e as Error).message}): give an unencrypted OpenSSH or PEM private key`,
          ),
        );
      }
    });
  }

  /** Runs a command line (already quoted: shell-quote.ts) and collects its output. */
  exec(command: string, timeoutMs = 10 * 60_000): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      this.client.exec(command, (err, stream) => {
        if (err !== undefined) {
          return reject(
            new VirtpointError('TARGET_ERROR', `ssh ${this.where}: exec: ${err.message}`, { cause: err }),
          );
        }
        let stdout = '';
        let stderr = '';
        const timer = setTimeout(() => {
          stream.close();
          reject(
            new VirtpointError(
              'TARGET_UNREACHABLE',
              `ssh ${this.where}: a remote command took over ${timeoutMs} ms`,
            ),
          );
        }, timeoutMs);
        stream.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
        stream.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
        stream.on('close', (code: number | null) => {
          clearTimeout(timer);
          resolve({ code: code ?? null, stdout, stderr: stderr.slice(0, 2000) });
        });
      });
    });
  }

  /** SFTP call as a promise; errors keep their SFTP status `code` for the caller to map. */
  call<T>(fn: (sftp: SFTPWrapper, cb: (err: Error | undefined | null, v?: T) => void) => void): Promise<T> {
    return new Promise((resolve, reject) => {
      fn(this.sftp, (err, v) => (err ? reject(err) : resolve(v as T)));
    });
  }

  end(): void {
    this.closed = true;
    this.client.end();
  }
}
