import {
  chmod,
  chown,
  link,
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rm,
  rmdir,
  stat,
  statfs,
  writeFile,
} from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { VirtpointError, type ErrorCode } from '../core/errors.js';
import type { Clock, Fs } from '../ports/fs.js';
import { locksHeld } from './proc-locks.js';

const ERRNO_CODES: Readonly<Record<string, ErrorCode>> = {
  ENOENT: 'NOT_FOUND',
  EEXIST: 'ALREADY_EXISTS',
  ENOSPC: 'NO_SPACE',
  EDQUOT: 'NO_SPACE',
  EACCES: 'PERMISSION_DENIED',
  EPERM: 'PERMISSION_DENIED',
  EROFS: 'PERMISSION_DENIED',
};

/** Runs a node:fs call, translating errno errors into VirtpointError (once, here). */
async function fsCall<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const errno = (e as NodeJS.ErrnoException).code ?? '';
    const message = e instanceof Error ? e.message : String(e);
    throw new VirtpointError(ERRNO_CODES[errno] ?? 'IO_ERROR', `${what}: ${message}`, {
      cause: e,
      details: { errno },
    });
  }
}

async function fsync(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** `first` (the first directory a recursive mkdir created) and each one below it down to `target`. */
export function createdDirs(first: string, target: string): string[] {
  const dirs = [resolve(first)];
  for (const part of relative(first, target).split(sep)) {
    if (part !== '') dirs.push(join(dirs[dirs.length - 1] as string, part));
  }
  return dirs;
}

export const nodeFs: Fs = {
  async mkdir(path, mode) {
    const first = await mkdir(path, { recursive: true, mode });
    // The umask (077 in the daemon) narrows mkdir's mode: set it exactly on what was created.
    if (first !== undefined) for (const dir of createdDirs(first, path)) await chmod(dir, mode);
  },
  async chmod(path, mode) {
    await chmod(path, mode);
  },
  async removeFile(path) {
    await rm(path, { force: true });
  },
  async removeDirIfEmpty(path) {
    try {
      await rmdir(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
    }
  },
  async exists(path) {
    try {
      await stat(path);
      return true;
    } catch {
      return false;
    }
  },
  async listDir(path) {
    try {
      return await readdir(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
  },
  async freeBytes(path) {
    const s = await statfs(path);
    return s.bavail * s.bsize;
  },
  async stat(path) {
    const s = await fsCall(`stat ${path}`, () => stat(path));
    return {
      size: s.size,
      mode: s.mode & 0o7777,
      uid: s.uid,
      gid: s.gid,
      allocated: s.blocks * 512,
      mtimeMs: s.mtimeMs,
      ino: s.ino,
      dev: s.dev,
    };
  },
  async rename(from, to) {
    await fsCall(`rename ${from} to ${to}`, () => rename(from, to));
  },
  async fsyncFile(path) {
    await fsCall(`fsync ${path}`, () => fsync(path));
  },
  async fsyncDir(path) {
    await fsCall(`fsync directory ${path}`, () => fsync(path));
  },
  async chown(path, uid, gid) {
    await fsCall(`chown ${path}`, () => chown(path, uid, gid));
  },
  async link(existing, newPath) {
    await fsCall(`link ${existing} to ${newPath}`, () => link(existing, newPath));
  },
  async writeFile(path, data, mode) {
    await fsCall(`write ${path}`, async () => {
      await writeFile(path, data, { flag: 'wx', mode });
      await chmod(path, mode); // the umask may have narrowed it
    });
  },
  async readFile(path) {
    return fsCall(`read ${path}`, () => readFile(path, 'utf8'));
  },
  async checksumFile(path, signal) {
    if (signal?.aborted === true) throw new VirtpointError('JOB_CANCELED', `checksum of ${path} canceled`);
    return fsCall(`checksum ${path}`, async () => {
      const hash = createHash('sha256');
      let size = 0;
      const stream = createReadStream(path, { highWaterMark: 1 << 20, ...(signal ? { signal } : {}) });
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        hash.update(chunk);
        size += chunk.length;
      }
      return { size, sha256: hash.digest('hex') };
    }).catch((e: unknown) => {
      if (signal?.aborted === true) throw new VirtpointError('JOB_CANCELED', `checksum of ${path} canceled`);
      throw e;
    });
  },
  async locksHeld(path) {
    return fsCall(`locks on ${path}`, () => locksHeld(path));
  },
};

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => delay(ms, undefined, signal ? { signal } : undefined),
};
