import { chmod, mkdir, readdir, rm, rmdir, stat, statfs } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import type { Clock, Fs } from '../ports/fs.js';

export const nodeFs: Fs = {
  async mkdir(path, mode) {
    await mkdir(path, { recursive: true, mode });
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
};

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => delay(ms, undefined, signal ? { signal } : undefined),
};
