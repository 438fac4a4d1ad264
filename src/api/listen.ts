/**
 * Listening on the Unix socket: a stale socket file left by a crashed daemon is removed (only
 * when it is a socket and nothing answers on it), then the server listens and the socket gets
 * its mode (0660) and group. The socket's directory (0750, made by the daemon) keeps others out
 * during the instant between listen and chmod.
 */

import { chmod, chown, lstat, unlink } from 'node:fs/promises';
import type { Server } from 'node:http';
import { connect } from 'node:net';

import { VirtpointError } from '../core/errors.js';

export interface ListenUnixOptions {
  /** Socket file mode (default 0o660). */
  readonly mode?: number;
  /** Group id for the socket file (default: left as created). */
  readonly group?: number;
}

/** Whether something accepts connections on the socket at `path`. */
export function socketAnswers(path: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ path });
    const done = (answers: boolean) => {
      socket.destroy();
      resolve(answers);
    };
    socket.setTimeout(timeoutMs, () => done(true));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function removeStaleSocket(path: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = (await lstat(path)).isSocket();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  if (!isSocket) {
    throw new VirtpointError(
      'ALREADY_EXISTS',
      `${path} exists and is not a socket; remove it or choose another path`,
    );
  }
  if (await socketAnswers(path)) {
    throw new VirtpointError(
      'ALREADY_EXISTS',
      `another process answers on ${path} (is virtpointd already running?); use --socket for a second daemon`,
    );
  }
  await unlink(path).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'ENOENT') throw e;
  });
}

/** Listens on the Unix socket `path`; resolves once it listens with its mode and group set. */
export async function listenUnix(server: Server, path: string, opts: ListenUnixOptions = {}): Promise<void> {
  await removeStaleSocket(path);
  await new Promise<void>((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    server.once('error', onError);
    server.listen(path, () => {
      server.off('error', onError);
      resolve();
    });
  });
  try {
    await chmod(path, opts.mode ?? 0o660);
    if (opts.group !== undefined) await chown(path, -1, opts.group);
  } catch (e) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw new VirtpointError(
      'PERMISSION_DENIED',
      `cannot set mode/group of ${path}: ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
}
