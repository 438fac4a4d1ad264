import { createHash } from 'node:crypto';
import { dirname } from 'node:path';
import { VirtpointError } from '../../src/core/errors.js';
import type { Clock, FileStat, Fs } from '../../src/ports/fs.js';
import type { ConvertOptions, CreateImageOptions, ImageInfo, ImageTool } from '../../src/ports/image-tool.js';

/** In-memory Fs, ImageTool and Clock for unit tests; failures injectable per call. */

export interface FakeFile {
  mode: number;
  uid?: number;
  gid?: number;
  size?: number;
  /** Given by `stat` when set. */
  mtimeMs?: number;
  ino?: number;
  /** What the file holds, for tests to tell files apart (`orig:<path>`, `flat:<source>`, …). */
  data?: string;
}

type Injected = { error: Error; match?: (path: string) => boolean };

/** Per-method failure queues: the next matching call of `method` throws. */
class Failures<M extends string> {
  private readonly queue = new Map<M, Injected[]>();
  add(method: M, error: Error, match?: (path: string) => boolean) {
    const q = this.queue.get(method) ?? [];
    q.push(match ? { error, match } : { error });
    this.queue.set(method, q);
  }
  check(method: M, path: string) {
    const q = this.queue.get(method) ?? [];
    const i = q.findIndex((f) => f.match === undefined || f.match(path));
    if (i < 0) return;
    const [f] = q.splice(i, 1);
    throw f!.error;
  }
}

type FsMethod =
  | 'stat'
  | 'rename'
  | 'fsyncFile'
  | 'fsyncDir'
  | 'chown'
  | 'link'
  | 'chmod'
  | 'removeFile'
  | 'writeFile'
  | 'checksumFile';

export class FakeFs implements Fs {
  readonly files = new Map<string, FakeFile>();
  readonly dirs = new Set<string>();
  /** Every change and sync, in order: `rename a b`, `link a b`, `fsync a`, `fsyncDir d`, … */
  readonly ops: string[] = [];
  free = 1024 ** 4;
  failRemove = false;
  /** What `locksHeld` answers (default: no process holds a lock). */
  locks: (path: string) => number = () => 0;
  /** Called when a name moves (rename) or is added (link), so the fake image tool follows. */
  readonly onName: ((from: string, to: string, move: boolean) => void)[] = [];
  private readonly failures = new Failures<FsMethod>();

  /** The next call of `method` (on a path `match` accepts) throws `error`. */
  failNext(
    method: FsMethod,
    error: Error = new VirtpointError('IO_ERROR', `injected ${method} failure`),
    match?: (path: string) => boolean,
  ) {
    this.failures.add(method, error, match);
  }

  private file(path: string): FakeFile {
    const f = this.files.get(path);
    if (!f) throw new VirtpointError('NOT_FOUND', `no file ${path}`);
    return f;
  }

  async mkdir(path: string) {
    for (let p = path; p !== '/' && p !== '.'; p = dirname(p)) this.dirs.add(p);
  }
  async chmod(path: string, mode: number) {
    this.failures.check('chmod', path);
    if (this.dirs.has(path)) return;
    const f = this.files.get(path);
    if (!f) throw new VirtpointError('IO_ERROR', `no file ${path}`);
    f.mode = mode;
  }
  async removeFile(path: string) {
    if (this.failRemove) throw new VirtpointError('IO_ERROR', 'injected remove failure');
    this.failures.check('removeFile', path);
    if (this.files.delete(path)) this.ops.push(`remove ${path}`);
  }
  async removeDirIfEmpty(path: string) {
    if (![...this.files.keys()].some((f) => f.startsWith(path + '/'))) this.dirs.delete(path);
  }
  async exists(path: string) {
    return this.files.has(path) || this.dirs.has(path);
  }
  async listDir(path: string) {
    const names = new Set<string>();
    for (const p of [...this.files.keys(), ...this.dirs]) {
      if (p.startsWith(path + '/')) names.add(p.slice(path.length + 1).split('/')[0]!);
    }
    return [...names].sort();
  }
  async freeBytes() {
    return this.free;
  }
  async stat(path: string): Promise<FileStat> {
    this.failures.check('stat', path);
    const f = this.file(path);
    const st = { size: f.size ?? 0, mode: f.mode, uid: f.uid ?? 0, gid: f.gid ?? 0 };
    return {
      ...st,
      ...(f.mtimeMs !== undefined && { mtimeMs: f.mtimeMs }),
      ...(f.ino !== undefined && { ino: f.ino }),
    };
  }
  async rename(from: string, to: string) {
    this.failures.check('rename', to);
    const f = this.file(from);
    this.files.delete(from);
    this.files.set(to, f);
    this.ops.push(`rename ${from} ${to}`);
    for (const h of this.onName) h(from, to, true);
  }
  async fsyncFile(path: string) {
    this.failures.check('fsyncFile', path);
    this.file(path);
    this.ops.push(`fsync ${path}`);
  }
  async fsyncDir(path: string) {
    this.failures.check('fsyncDir', path);
    this.ops.push(`fsyncDir ${path}`);
  }
  async chown(path: string, uid: number, gid: number) {
    this.failures.check('chown', path);
    const f = this.file(path);
    f.uid = uid;
    f.gid = gid;
  }
  async link(existing: string, newPath: string) {
    this.failures.check('link', newPath);
    const f = this.file(existing);
    if (this.files.has(newPath)) throw new VirtpointError('ALREADY_EXISTS', `${newPath} exists`);
    this.files.set(newPath, f);
    this.ops.push(`link ${existing} ${newPath}`);
    for (const h of this.onName) h(existing, newPath, false);
  }
  async writeFile(path: string, data: string, mode: number) {
    this.failures.check('writeFile', path);
    if (this.files.has(path)) throw new VirtpointError('ALREADY_EXISTS', `${path} exists`);
    if (!this.dirs.has(dirname(path))) throw new VirtpointError('NOT_FOUND', `no directory ${dirname(path)}`);
    this.files.set(path, { mode, size: Buffer.byteLength(data), data });
    this.ops.push(`write ${path}`);
  }
  async readFile(path: string) {
    const f = this.file(path);
    return f.data ?? '';
  }
  /** The file's recorded size (else the length of its data) and the sha256 of its data. */
  async checksumFile(path: string) {
    this.failures.check('checksumFile', path);
    const f = this.file(path);
    const data = f.data ?? '';
    this.ops.push(`checksum ${path}`);
    return {
      size: f.size ?? Buffer.byteLength(data),
      sha256: createHash('sha256').update(data).digest('hex'),
    };
  }
  async locksHeld(path: string) {
    this.file(path);
    const n = this.locks(path);
    this.ops.push(`locks ${path} ${n}`);
    return n;
  }
}

type ImageMethod = 'convert' | 'resize' | 'create';

export class FakeImageTool implements ImageTool {
  readonly images = new Map<
    string,
    { opts: CreateImageOptions; actualSize: number; bitmaps: { name: string; flags: string[] }[] }
  >();
  failCreate: Error | null = null;
  /** convert into a path under this prefix writes half a file, then fails with NO_SPACE. */
  noSpaceUnder: string | null = null;
  readonly converts: { source: string; target: string; opts: ConvertOptions }[] = [];
  readonly resizes: { path: string; size: number; format: string | undefined }[] = [];
  /** What `check` reports per path (absent: consistent). */
  readonly checkErrors = new Map<string, string>();
  /** `qemu-img check` errors by path (when set), after those of checkErrors. */
  checkError: ((path: string) => string | null) | null = null;
  /** What `readAll` reports per path (absent: all clusters read). */
  readonly readErrors = new Map<string, string>();
  readonly reads: string[] = [];
  private readonly failures = new Failures<ImageMethod>();

  constructor(private readonly fs: FakeFs) {
    fs.onName.push((from, to, move) => {
      const img = this.images.get(from);
      if (!img) return;
      this.images.set(to, img);
      if (move) this.images.delete(from);
    });
  }

  failNext(
    method: ImageMethod,
    error: Error = new VirtpointError('COMMAND_FAILED', `injected ${method} failure`),
    match?: (path: string) => boolean,
  ) {
    this.failures.add(method, error, match);
  }

  async create(path: string, opts: CreateImageOptions) {
    if (this.failCreate) throw this.failCreate;
    this.failures.check('create', path);
    if (!this.fs.dirs.has(dirname(path)))
      throw new VirtpointError('IO_ERROR', `no directory ${dirname(path)}`);
    this.images.set(path, { opts, actualSize: 196_608, bitmaps: [] });
    this.fs.files.set(path, { mode: 0o644, data: `new:${opts.backingFile ?? ''}` });
  }
  /** A source disk image (what the domain's disk file holds), with its file. */
  addSource(
    path: string,
    size: number,
    bitmaps: { name: string; flags: string[] }[] = [],
    format: 'qcow2' | 'raw' = 'qcow2',
  ) {
    this.images.set(path, { opts: { format, size }, actualSize: size / 4, bitmaps });
    this.fs.files.set(path, { mode: 0o600, uid: 107, gid: 107, size: size / 4, data: `orig:${path}` });
    void this.fs.mkdir(dirname(path));
  }
  async info(path: string): Promise<ImageInfo> {
    const img = this.images.get(path);
    if (!img) throw new VirtpointError('COMMAND_FAILED', `qemu-img: could not open '${path}'`);
    return {
      format: img.opts.format,
      virtualSize: img.opts.size,
      actualSize: img.actualSize,
      backingFile: img.opts.backingFile ?? null,
      bitmaps: img.bitmaps,
    };
  }
  async check(path: string, format: 'qcow2' | 'raw') {
    if (!this.fs.files.has(path)) return `qemu-img: Could not open '${path}': No such file or directory`;
    return format === 'raw' ? null : (this.checkErrors.get(path) ?? this.checkError?.(path) ?? null);
  }
  async readAll(path: string) {
    this.reads.push(path);
    if (!this.fs.files.has(path)) return `qemu-img: Could not open '${path}': No such file or directory`;
    return this.readErrors.get(path) ?? null;
  }
  async removeBitmap(path: string, name: string) {
    const img = this.images.get(path);
    if (!img) throw new VirtpointError('COMMAND_FAILED', `qemu-img: could not open '${path}'`);
    img.bitmaps = img.bitmaps.filter((b) => b.name !== name);
  }
  async convert(source: string, target: string, opts: ConvertOptions) {
    this.converts.push({ source, target, opts });
    const src = this.images.get(source);
    if (!src) throw new VirtpointError('COMMAND_FAILED', `qemu-img: could not open '${source}'`);
    if (opts.targetExists && !this.fs.files.has(target))
      throw new VirtpointError('COMMAND_FAILED', `qemu-img: could not open '${target}'`);
    if (!this.fs.dirs.has(dirname(target)))
      throw new VirtpointError('IO_ERROR', `no directory ${dirname(target)}`);
    const prev = this.fs.files.get(target);
    const write = (data: string) =>
      this.fs.files.set(target, {
        mode: prev?.mode ?? 0o644,
        uid: prev?.uid ?? 0,
        gid: prev?.gid ?? 0,
        size: src.opts.size,
        data,
      });
    if (this.noSpaceUnder !== null && target.startsWith(this.noSpaceUnder)) {
      write(`partial:${source}`);
      throw new VirtpointError('NO_SPACE', `no space left writing ${target}: free space on its filesystem`);
    }
    this.failures.check('convert', target);
    opts.onProgress?.(50);
    write(`flat:${source}`);
    const size = Math.max(src.opts.size, (opts.targetExists ? this.images.get(target)?.opts.size : 0) ?? 0);
    this.images.set(target, { opts: { format: opts.format, size }, actualSize: src.actualSize, bitmaps: [] });
    opts.onProgress?.(100);
  }
  async resize(path: string, size: number, format?: 'qcow2' | 'raw') {
    this.failures.check('resize', path);
    const img = this.images.get(path);
    if (!img) throw new VirtpointError('COMMAND_FAILED', `qemu-img: could not open '${path}'`);
    this.resizes.push({ path, size, format });
    img.opts = { ...img.opts, size };
  }
  readonly rebases: { path: string; backingFile: string | null }[] = [];
  failRebase: Error | null = null;
  async rebase(path: string, backingFile: string | null) {
    if (this.failRebase) throw this.failRebase;
    const img = this.images.get(path);
    if (!img) throw new VirtpointError('COMMAND_FAILED', `qemu-img: could not open '${path}'`);
    this.rebases.push({ path, backingFile });
    img.opts = { ...img.opts, ...(backingFile === null ? { backingFile: undefined } : { backingFile }) };
  }
}

export class FakeClock implements Clock {
  t = 1_700_000_000_000;
  /** Added to `now()` on every read, to give freeze windows a size. */
  step = 3;
  now() {
    this.t += this.step;
    return this.t;
  }
  async sleep(ms: number) {
    this.t += ms;
    await new Promise((r) => setTimeout(r, 1));
  }
}
