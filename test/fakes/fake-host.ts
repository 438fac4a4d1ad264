import { dirname } from 'node:path';
import { VirtpointError } from '../../src/core/errors.js';
import type { Clock, Fs } from '../../src/ports/fs.js';
import type { CreateImageOptions, ImageInfo, ImageTool } from '../../src/ports/image-tool.js';

/** In-memory Fs, ImageTool and Clock for unit tests; failures injectable per call. */

export class FakeFs implements Fs {
  readonly files = new Map<string, { mode: number }>();
  readonly dirs = new Set<string>();
  free = 1024 ** 4;
  failRemove = false;

  async mkdir(path: string) {
    for (let p = path; p !== '/' && p !== '.'; p = dirname(p)) this.dirs.add(p);
  }
  async chmod(path: string, mode: number) {
    const f = this.files.get(path);
    if (!f) throw new VirtpointError('IO_ERROR', `no file ${path}`);
    f.mode = mode;
  }
  async removeFile(path: string) {
    if (this.failRemove) throw new VirtpointError('IO_ERROR', 'injected remove failure');
    this.files.delete(path);
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
}

export class FakeImageTool implements ImageTool {
  readonly images = new Map<
    string,
    { opts: CreateImageOptions; actualSize: number; bitmaps: { name: string; flags: string[] }[] }
  >();
  failCreate: Error | null = null;
  constructor(private readonly fs: FakeFs) {}

  async create(path: string, opts: CreateImageOptions) {
    if (this.failCreate) throw this.failCreate;
    if (!this.fs.dirs.has(dirname(path)))
      throw new VirtpointError('IO_ERROR', `no directory ${dirname(path)}`);
    this.images.set(path, { opts, actualSize: 196_608, bitmaps: [] });
    this.fs.files.set(path, { mode: 0o644 });
  }
  /** A source disk image (what the domain's disk file holds). */
  addSource(path: string, size: number, bitmaps: { name: string; flags: string[] }[] = []) {
    this.images.set(path, { opts: { format: 'qcow2', size }, actualSize: size / 4, bitmaps });
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
  async convert() {}
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
