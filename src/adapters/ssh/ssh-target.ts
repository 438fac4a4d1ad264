/**
 * The SSH target adapter (ports/target.ts) on `ssh2`: objects are files under the target's
 * directory, written over SFTP with many write requests in flight (fastPut-style, not a piped
 * stream), fsynced (fsync@openssh.com) and renamed into place (posix-rename@openssh.com), so an
 * object is visible only once complete.
 *
 * Multipart over SSH (docs/copies.md, "Resume"): `beginUpload` makes a staging directory
 * `<path>/.uploads/<upload-id>/` holding `key` (the object's key) and one file per part
 * (`part-00001`, ...). Each part is checked by a `sha256sum` the remote runs over what it wrote
 * (a mismatch is DATA_CORRUPT and the part file is removed); `completeUpload` concatenates the
 * parts remotely (`cat`) into a temporary file beside the object, checks its size, renames it
 * into place and removes the staging directory. Remote commands are argv arrays quoted by
 * shell-quote.ts; every path in them is built here from the configured path and a
 * core/remote-layout.ts key.
 */

import { createHash, randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { Readable } from 'node:stream';

import { VirtpointError } from '../../core/errors.js';
import type { CompletedPart, RemoteObject, RemoteUpload, TargetStore } from '../../ports/target.js';
import {
  mkdirs,
  NO_SUCH_FILE,
  PERMISSION_DENIED,
  readChunks,
  readdirOrEmpty,
  removeFile,
  removeTree,
  renameOver,
  sftpCode,
  sha256sum,
  statOrNull,
  writeFile,
  type DirEntry,
  type WriteOptions,
} from './remote-files.js';
import { shellCommand } from './shell-quote.js';
import { SshSession, type SshSessionOptions } from './ssh-session.js';

export interface SshTargetOptions extends SshSessionOptions {
  /** Absolute directory on the remote host. */
  readonly path: string;
  /** SFTP write requests in flight (default 64) of `chunkSize` bytes (default 32 KiB). */
  readonly writeConcurrency?: number;
  readonly chunkSize?: number;
}

const UPLOADS = '.uploads';
const TMP_MARK = '.vptmp-';
const UPLOAD_ID = /^[0-9a-f]{24}$/;
const partName = (n: number): string => `part-${String(n).padStart(5, '0')}`;

export class SshTarget implements TargetStore {
  private session: Promise<SshSession> | null = null;
  private readonly root: string;

  constructor(private readonly o: SshTargetOptions) {
    // '' for '/': every path is `${root}/...`.
    this.root = o.path.replace(/\/+$/, '');
  }

  private async s(): Promise<SshSession> {
    const cur = this.session;
    if (cur !== null) {
      const s = await cur.catch(() => null);
      if (s !== null && !s.closed) return s;
    }
    const next = SshSession.connect(this.o);
    this.session = next;
    next.catch(() => {
      if (this.session === next) this.session = null;
    });
    return next;
  }

  private path(key: string): string {
    if (
      key === '' ||
      key.startsWith('/') ||
      key.split('/').some((s) => s === '' || s === '.' || s === '..' || s.startsWith(TMP_MARK)) ||
      key === UPLOADS ||
      key.startsWith(`${UPLOADS}/`) ||
      /[\0\n\r]/.test(key)
    ) {
      throw new VirtpointError('INTERNAL', `bad remote key ${JSON.stringify(key)}`);
    }
    return `${this.root}/${key}`;
  }

  private staging(uploadId: string): string {
    if (!UPLOAD_ID.test(uploadId)) throw new VirtpointError('TARGET_ERROR', `unknown upload ${uploadId}`);
    return `${this.root}/${UPLOADS}/${uploadId}`;
  }

  private fail(what: string, e: unknown): VirtpointError {
    if (e instanceof VirtpointError) return e;
    const code = sftpCode(e);
    const msg = (e as Error | null)?.message ?? String(e);
    if (code === NO_SUCH_FILE)
      return new VirtpointError('REMOTE_NOT_FOUND', `ssh ${what}: no such file`, { cause: e });
    if (code === PERMISSION_DENIED) {
      return new VirtpointError(
        'TARGET_ERROR',
        `ssh ${what}: permission denied: the target's user must own ${this.root}`,
        { cause: e },
      );
    }
    return new VirtpointError('TARGET_ERROR', `ssh ${what}: ${msg}`, { cause: e });
  }

  private async op<T>(what: string, fn: (s: SshSession) => Promise<T>): Promise<T> {
    const s = await this.s();
    try {
      return await fn(s);
    } catch (e) {
      if (s.closed && !(e instanceof VirtpointError)) {
        throw new VirtpointError('TARGET_UNREACHABLE', `ssh ${what}: the connection was lost; retry`, {
          cause: e,
        });
      }
      throw this.fail(what, e);
    }
  }

  private io(concurrency: number): WriteOptions {
    return {
      chunkSize: this.o.chunkSize ?? 32 * 1024,
      concurrency: Math.min(concurrency, this.o.writeConcurrency ?? 64),
    };
  }

  private tmpBeside(p: string): string {
    return `${posix.dirname(p)}/${TMP_MARK}${randomBytes(6).toString('hex')}-${posix.basename(p)}`;
  }

  putObject(key: string, body: Buffer): Promise<void> {
    const p = this.path(key);
    return this.op(`put ${key}`, async (s) => {
      await mkdirs(s, posix.dirname(p));
      const tmp = this.tmpBeside(p);
      try {
        await writeFile(s, tmp, body, this.io(64));
        await renameOver(s, tmp, p);
      } catch (e) {
        await removeFile(s, tmp).catch(() => undefined);
        throw e;
      }
    });
  }

  getObject(key: string, maxBytes: number): Promise<Buffer> {
    const p = this.path(key);
    return this.op(`get ${key}`, async (s) => {
      const st = await statOrNull(s, p);
      if (st === null || !st.isFile())
        throw new VirtpointError('REMOTE_NOT_FOUND', `ssh get ${key}: no such object`);
      if (st.size > maxBytes)
        throw new VirtpointError('TARGET_ERROR', `${key} holds ${st.size} bytes, more than ${maxBytes}`);
      const b = await s.call<Buffer>((f, cb) => f.readFile(p, cb));
      if (b.length > maxBytes)
        throw new VirtpointError('TARGET_ERROR', `${key} holds more than ${maxBytes} bytes`);
      return b;
    });
  }

  openRead(key: string): Promise<Readable> {
    const p = this.path(key);
    return this.op(`read ${key}`, async (s) => {
      const st = await statOrNull(s, p);
      if (st === null || !st.isFile())
        throw new VirtpointError('REMOTE_NOT_FOUND', `ssh read ${key}: no such object`);
      return Readable.from(readChunks(s, p, st.size, this.io(32), (e) => this.fail(`read ${key}`, e)));
    });
  }

  head(key: string): Promise<RemoteObject | null> {
    const p = this.path(key);
    return this.op(`head ${key}`, async (s) => {
      const st = await statOrNull(s, p);
      if (st === null || !st.isFile()) return null;
      return { key, size: st.size, modifiedAt: st.mtime * 1000 };
    });
  }

  list(prefix: string): Promise<RemoteObject[]> {
    return this.op(`list ${prefix}`, async (s) => {
      const cut = prefix.lastIndexOf('/');
      const dirKey = cut < 0 ? '' : prefix.slice(0, cut);
      const out: RemoteObject[] = [];
      const walk = async (rel: string): Promise<void> => {
        const dir = rel === '' ? this.root || '/' : `${this.root}/${rel}`;
        const entries = await readdirOrEmpty(s, dir);
        for (const e of entries) {
          const name = e.filename;
          if (name === '.' || name === '..' || name.startsWith(TMP_MARK)) continue;
          if (rel === '' && name === UPLOADS) continue;
          const key = rel === '' ? name : `${rel}/${name}`;
          if (e.attrs.isDirectory()) {
            if (`${key}/`.startsWith(prefix) || prefix.startsWith(`${key}/`)) await walk(key);
          } else if (e.attrs.isFile() && key.startsWith(prefix)) {
            out.push({ key, size: e.attrs.size, modifiedAt: e.attrs.mtime * 1000 });
          }
        }
      };
      await walk(dirKey);
      return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    });
  }

  delete(key: string): Promise<void> {
    const p = this.path(key);
    return this.op(`delete ${key}`, (s) => removeFile(s, p));
  }

  beginUpload(key: string): Promise<string> {
    this.path(key);
    return this.op(`begin upload ${key}`, async (s) => {
      const id = randomBytes(12).toString('hex');
      const dir = this.staging(id);
      await mkdirs(s, dir);
      await writeFile(s, `${dir}/key`, Buffer.from(key, 'utf8'), this.io(1));
      return id;
    });
  }

  async putPart(key: string, uploadId: string, partNumber: number, data: Buffer): Promise<CompletedPart> {
    this.path(key);
    const dir = this.staging(uploadId);
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 99999) {
      throw new VirtpointError('INTERNAL', `bad part number ${partNumber}`);
    }
    return this.op(`upload ${key} part ${partNumber}`, async (s) => {
      await this.checkUpload(s, key, uploadId);
      const p = `${dir}/${partName(partNumber)}`;
      await writeFile(s, p, data, this.io(64));
      const local = createHash('sha256').update(data).digest('hex');
      const remote = await sha256sum(s, p);
      if (remote !== local) {
        await removeFile(s, p).catch(() => undefined);
        throw new VirtpointError(
          'DATA_CORRUPT',
          `ssh upload ${key} part ${partNumber}: the remote wrote other bytes (sha256 ${remote}, sent ${local}); retry the copy`,
        );
      }
      return { partNumber, size: data.length, etag: null, checksum: remote };
    });
  }

  private async checkUpload(s: SshSession, key: string, uploadId: string): Promise<void> {
    const dir = this.staging(uploadId);
    let owner: Buffer;
    try {
      owner = await s.call<Buffer>((f, cb) => f.readFile(`${dir}/key`, cb));
    } catch (e) {
      if (sftpCode(e) === NO_SUCH_FILE) {
        throw new VirtpointError(
          'TARGET_ERROR',
          `ssh: NoSuchUpload ${uploadId} for ${key}: start the upload again`,
        );
      }
      throw e;
    }
    if (owner.toString('utf8') !== key) {
      throw new VirtpointError('TARGET_ERROR', `ssh: upload ${uploadId} belongs to another key than ${key}`);
    }
  }

  completeUpload(key: string, uploadId: string, parts: readonly CompletedPart[]): Promise<void> {
    const p = this.path(key);
    const dir = this.staging(uploadId);
    return this.op(`complete upload ${key}`, async (s) => {
      await this.checkUpload(s, key, uploadId);
      const sorted = [...parts].sort((a, b) => a.partNumber - b.partNumber);
      const files = sorted.map((x) => `${dir}/${partName(x.partNumber)}`);
      await mkdirs(s, posix.dirname(p));
      const tmp = this.tmpBeside(p);
      const want = sorted.reduce((n, x) => n + x.size, 0);
      try {
        const cmd = files.length === 0 ? shellCommand([':']) : `${shellCommand(['cat', '--', ...files])}`;
        const r = await s.exec(`${cmd} > ${shellCommand([tmp])} && ${shellCommand(['sync', '--', tmp])}`);
        if (r.code !== 0) {
          throw new VirtpointError(
            'TARGET_ERROR',
            `ssh complete upload ${key}: cat exited ${r.code ?? 'by signal'}: ${r.stderr.trim() || 'no output'}`,
          );
        }
        const st = await statOrNull(s, tmp);
        if (st === null || st.size !== want) {
          throw new VirtpointError(
            'DATA_CORRUPT',
            `ssh complete upload ${key}: the parts make ${st?.size ?? 0} bytes, expected ${want}; retry the copy`,
          );
        }
        await renameOver(s, tmp, p);
      } catch (e) {
        await removeFile(s, tmp).catch(() => undefined);
        throw e;
      }
      await removeTree(s, this.staging(uploadId));
    });
  }

  abortUpload(key: string, uploadId: string): Promise<void> {
    this.path(key);
    if (!UPLOAD_ID.test(uploadId)) return Promise.resolve();
    return this.op(`abort upload ${key}`, async (s) => {
      const dir = this.staging(uploadId);
      const owner = await s.call<Buffer>((f, cb) => f.readFile(`${dir}/key`, cb)).catch(() => null);
      // Only a staging directory of this key (or one whose key file never got written).
      if (owner !== null && owner.toString('utf8') !== key) return;
      await removeTree(s, this.staging(uploadId));
    });
  }

  listUploads(prefix: string): Promise<RemoteUpload[]> {
    return this.op(`list uploads ${prefix}`, async (s) => {
      const entries: DirEntry[] = await readdirOrEmpty(s, `${this.root}/${UPLOADS}`);
      const out: RemoteUpload[] = [];
      for (const e of entries) {
        if (!UPLOAD_ID.test(e.filename) || !e.attrs.isDirectory()) continue;
        const key = await s
          .call<Buffer>((f, cb) => f.readFile(`${this.root}/${UPLOADS}/${e.filename}/key`, cb))
          .then((b) => b.toString('utf8'))
          .catch(() => null);
        if (key === null || !key.startsWith(prefix)) continue;
        out.push({ key, uploadId: e.filename, startedAt: e.attrs.mtime * 1000 });
      }
      return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    });
  }

  remoteSha256(key: string): Promise<string | null> {
    const p = this.path(key);
    return this.op(`sha256 ${key}`, async (s) => {
      if ((await statOrNull(s, p)) === null) return null;
      return sha256sum(s, p);
    });
  }

  async close(): Promise<void> {
    const cur = this.session;
    this.session = null;
    if (cur === null) return;
    const s = await cur.catch(() => null);
    s?.end();
  }
}
