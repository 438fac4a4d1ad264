/**
 * The API socket's directory. Only a directory the daemon creates for the socket gets its mode
 * and group (0750 root:<socket group>, so the group reaches the socket and others do not); an
 * existing directory is never chowned or chmodded (`--socket /srv/x.sock` must not change /srv).
 * Parents it has to create on the way get 0711: traversable, not listable.
 */
import { chmod, chown, mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createdDirs } from '../adapters/node-fs.js';
import { VirtpointError } from '../core/errors.js';

export const SOCKET_DIR_MODE = 0o750;
export const SOCKET_PARENT_MODE = 0o711;

/** The file system calls it needs (node:fs/promises by default; fakes in tests). */
export interface SocketDirFs {
  /** Recursive mkdir: the first directory created, or undefined when `path` existed. */
  mkdir(path: string, opts: { recursive: true; mode: number }): Promise<string | undefined>;
  chmod(path: string, mode: number): Promise<void>;
  chown(path: string, uid: number, gid: number): Promise<void>;
}

const nodeSocketDirFs: SocketDirFs = { mkdir, chmod, chown };

/**
 * Makes sure `dir` exists. When it creates it: mode 0750 and, when `gid` is given, that group
 * (the owner stays the daemon's user). Returns whether it created `dir`.
 */
export async function ensureSocketDir(
  dir: string,
  gid: number | undefined,
  fs: SocketDirFs = nodeSocketDirFs,
): Promise<{ readonly created: boolean }> {
  const target = resolve(dir);
  let first: string | undefined;
  try {
    first = await fs.mkdir(target, { recursive: true, mode: SOCKET_DIR_MODE });
  } catch (e) {
    throw new VirtpointError(
      'IO_ERROR',
      `cannot create the socket directory ${target}: ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
  if (first === undefined) return { created: false };
  try {
    for (const d of createdDirs(first, target)) {
      if (d !== target) await fs.chmod(d, SOCKET_PARENT_MODE);
    }
    await fs.chmod(target, SOCKET_DIR_MODE); // exact, whatever the umask
    if (gid !== undefined) await fs.chown(target, -1, gid);
  } catch (e) {
    throw new VirtpointError(
      'PERMISSION_DENIED',
      `cannot set mode/group of the socket directory ${target}: ${(e as Error).message}`,
      { cause: e, details: { gid } },
    );
  }
  return { created: true };
}
