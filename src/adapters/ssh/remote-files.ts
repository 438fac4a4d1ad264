/**
 * File operations over one SSH session for the SSH target (ssh-target.ts): stat, mkdir -p,
 * parallel SFTP writes (many requests in flight, fastPut-style) and reads (fastGet-style, handed
 * out in order), atomic rename (posix-rename@openssh.com) and a remote sha256sum.
 */

import { VirtpointError } from '../../core/errors.js';
import { shellCommand } from './shell-quote.js';
import type { SshSession } from './ssh-session.js';

// SFTP status codes (draft-ietf-secsh-filexfer-02).
export const NO_SUCH_FILE = 2;
export const PERMISSION_DENIED = 3;

export const sftpCode = (e: unknown): number | undefined => (e as { code?: number } | null)?.code;

export interface Stats {
  size: number;
  mtime: number;
  isDirectory(): boolean;
  isFile(): boolean;
}

export interface DirEntry {
  filename: string;
  attrs: Stats;
}

export async function statOrNull(s: SshSession, p: string): Promise<Stats | null> {
  try {
    return await s.call<Stats>((f, cb) => f.stat(p, cb));
  } catch (e) {
    if (sftpCode(e) === NO_SUCH_FILE) return null;
    throw e;
  }
}

export async function readdirOrEmpty(s: SshSession, dir: string): Promise<DirEntry[]> {
  try {
    return await s.call<DirEntry[]>((f, cb) => f.readdir(dir, cb));
  } catch (e) {
    if (sftpCode(e) === NO_SUCH_FILE) return [];
    throw e;
  }
}

/** Makes `dir` and its missing parents (the target's own directory too), mode 0700. */
export async function mkdirs(s: SshSession, dir: string): Promise<void> {
  if (dir === '/' || dir === '' || !dir.startsWith('/')) return;
  const st = await statOrNull(s, dir);
  if (st !== null) {
    if (!st.isDirectory()) throw new VirtpointError('TARGET_ERROR', `ssh: ${dir} is not a directory`);
    return;
  }
  await mkdirs(s, dir.slice(0, dir.lastIndexOf('/')));
  try {
    await s.call<void>((f, cb) => f.mkdir(dir, { mode: 0o700 }, cb));
  } catch (e) {
    if ((await statOrNull(s, dir))?.isDirectory() !== true) throw e;
  }
}

export interface WriteOptions {
  readonly chunkSize: number;
  readonly concurrency: number;
}

/** Writes `data` into a new file (0600) with many write requests in flight, then fsyncs it. */
export async function writeFile(s: SshSession, p: string, data: Buffer, o: WriteOptions): Promise<void> {
  const handle = await s.call<Buffer>((f, cb) => f.open(p, 'w', 0o600, cb));
  try {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < data.length) {
        const at = next;
        const len = Math.min(o.chunkSize, data.length - at);
        next += len;
        await s.call<void>((f, cb) => f.write(handle, data, at, len, at, cb));
      }
    };
    const n = Math.max(1, Math.min(o.concurrency, Math.ceil(data.length / o.chunkSize)));
    await Promise.all(Array.from({ length: n }, worker));
    await s.call<unknown>((f, cb) => f.ext_openssh_fsync(handle, cb));
  } finally {
    await s.call<void>((f, cb) => f.close(handle, cb)).catch(() => undefined);
  }
}

/** Renames over an existing file atomically (posix-rename@openssh.com). */
export function renameOver(s: SshSession, from: string, to: string): Promise<void> {
  return s.call<void>((f, cb) => f.ext_openssh_rename(from, to, cb));
}

/** Removes a file; a missing one is not an error. */
export async function removeFile(s: SshSession, p: string): Promise<void> {
  try {
    await s.call<void>((f, cb) => f.unlink(p, cb));
  } catch (e) {
    if (sftpCode(e) !== NO_SUCH_FILE) throw e;
  }
}

/** `rm -rf -- DIR` on the remote (DIR built by the caller from its own root). */
export async function removeTree(s: SshSession, dir: string): Promise<void> {
  const r = await s.exec(shellCommand(['rm', '-rf', '--', dir]));
  if (r.code !== 0) {
    throw new VirtpointError('TARGET_ERROR', `ssh rm ${dir}: ${r.stderr.trim() || `exit ${r.code}`}`);
  }
}

/** The sha256 the remote computes (`sha256sum`) of a file. */
export async function sha256sum(s: SshSession, p: string): Promise<string> {
  const r = await s.exec(shellCommand(['sha256sum', '--', p]));
  const hex = /^([0-9a-f]{64})\s/.exec(r.stdout)?.[1];
  if (r.code !== 0 || hex === undefined) {
    if (/No such file/.test(r.stderr)) {
      throw new VirtpointError('REMOTE_NOT_FOUND', `ssh sha256sum ${p}: no such file`);
    }
    throw new VirtpointError(
      'TARGET_ERROR',
      `ssh sha256sum ${p} exited ${r.code ?? 'by signal'}: ${r.stderr.trim() || 'no output'} (the remote needs coreutils)`,
    );
  }
  return hex;
}

/** Reads `size` bytes of a file with up to `concurrency` reads of `chunkSize` in flight. */
export async function* readChunks(
  s: SshSession,
  p: string,
  size: number,
  o: WriteOptions,
  fail: (e: unknown) => Error,
): AsyncGenerator<Buffer> {
  const handle = await s
    .call<Buffer>((f, cb) => f.open(p, 'r', cb))
    .catch((e: unknown) => {
      throw fail(e);
    });
  const inflight: Promise<Buffer>[] = [];
  let next = 0;
  const readAt = async (at: number, len: number): Promise<Buffer> => {
    const out = Buffer.alloc(len);
    let got = 0;
    while (got < len) {
      const n = await s.call<number>((f, cb) => f.read(handle, out, got, len - got, at + got, cb));
      if (n === 0) {
        throw new VirtpointError(
          'DATA_TRUNCATED',
          `ssh read ${p}: the file ended at ${at + got} of ${size} bytes`,
        );
      }
      got += n;
    }
    return out;
  };
  const start = (): void => {
    const len = Math.min(o.chunkSize, size - next);
    const q = readAt(next, len).catch((e: unknown) => {
      throw fail(e);
    });
    // Awaited in order below; a rejection seen first here must not count as unhandled.
    q.catch(() => undefined);
    inflight.push(q);
    next += len;
  };
  try {
    while (inflight.length < o.concurrency && next < size) start();
    while (inflight.length > 0) {
      const b = await inflight.shift()!;
      if (next < size) start();
      yield b;
    }
  } finally {
    await Promise.allSettled(inflight);
    await s.call<void>((f, cb) => f.close(handle, cb)).catch(() => undefined);
  }
}
