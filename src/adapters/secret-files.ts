/**
 * Secret files on node:fs (ports/secret-files.ts): the daemon's copies live in
 * `<dir>/<target-id>/<name>`, dir 0700 and files 0600, written to a temporary name, fsynced and
 * renamed. Error messages name paths, never contents.
 */

import { lstat, mkdir, open, readFile, rename, rm, chmod } from 'node:fs/promises';
import { join } from 'node:path';

import { VirtpointError, type ErrorCode } from '../core/errors.js';
import { isValidId } from '../core/names.js';
import type { SecretFiles, SecretFileStat } from '../ports/secret-files.js';

const ERRNO: Readonly<Record<string, ErrorCode>> = {
  ENOENT: 'NOT_FOUND',
  EACCES: 'PERMISSION_DENIED',
  EPERM: 'PERMISSION_DENIED',
  ENOSPC: 'NO_SPACE',
};

async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof VirtpointError) throw e;
    const errno = (e as NodeJS.ErrnoException).code ?? '';
    throw new VirtpointError(ERRNO[errno] ?? 'IO_ERROR', `${what}: ${errno || String(e)}`, { cause: e });
  }
}

const NAME = /^[a-z0-9][a-z0-9-]{0,31}$/;

export class NodeSecretFiles implements SecretFiles {
  /** `dir`: <state_dir>/targets. */
  constructor(private readonly dir: string) {}

  private path(targetId: string, name?: string): string {
    if (!isValidId(targetId) || (name !== undefined && !NAME.test(name))) {
      throw new VirtpointError('INTERNAL', `bad secret file name ${targetId}/${name ?? ''}`);
    }
    return name === undefined ? join(this.dir, targetId) : join(this.dir, targetId, name);
  }

  stat(path: string): Promise<SecretFileStat> {
    return call(`stat ${path}`, async () => {
      const s = await lstat(path);
      return { regular: s.isFile(), size: s.size, mode: s.mode & 0o7777, uid: s.uid };
    });
  }

  read(path: string, maxBytes: number): Promise<Buffer> {
    return call(`read ${path}`, async () => {
      const fh = await open(path, 'r');
      try {
        const buf = Buffer.alloc(maxBytes + 1);
        const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
        if (bytesRead > maxBytes) {
          throw new VirtpointError('INVALID_ARGUMENT', `${path} is larger than ${maxBytes} bytes`);
        }
        return buf.subarray(0, bytesRead);
      } finally {
        await fh.close();
      }
    });
  }

  keep(targetId: string, name: string, bytes: Buffer): Promise<void> {
    const dir = this.path(targetId);
    const file = this.path(targetId, name);
    return call(`keep ${file}`, async () => {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await chmod(dir, 0o700);
      const tmp = `${file}.tmp`;
      await rm(tmp, { force: true });
      const fh = await open(tmp, 'wx', 0o600);
      try {
        await fh.chmod(0o600);
        await fh.writeFile(bytes);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, file);
      const d = await open(dir, 'r');
      try {
        await d.sync();
      } finally {
        await d.close();
      }
    });
  }

  load(targetId: string, name: string): Promise<Buffer> {
    const file = this.path(targetId, name);
    return call(`read ${file}`, () => readFile(file));
  }

  forget(targetId: string): Promise<void> {
    const dir = this.path(targetId);
    return call(`remove ${dir}`, () => rm(dir, { recursive: true, force: true }));
  }
}
