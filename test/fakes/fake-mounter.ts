import { VirtpointError } from '../../src/core/errors.js';
import type { FilesystemType } from '../../src/core/partitions.js';
import type { Mounter, QsdProcess, StorageDaemon } from '../../src/ports/mounter.js';
import type { FakeFs } from './fake-host.js';

/**
 * The host of mounts in memory: qemu-storage-daemon processes (by PID, start time, the path
 * their command line names), FUSE files with raw contents, loop devices and mounts. A test gives
 * each store image its raw disk content (`disks`), may start foreign processes and loops, and
 * reads what is left (`procs`, `loops`, `mounted`).
 */
export class FakeMountHost {
  /** Raw content of each store image, as the export would show it. */
  readonly disks = new Map<string, Buffer>();
  readonly procs = new Map<number, { startTime: number; mark: string; reads: number; fuse?: string }>();
  readonly loops = new Map<string, { file: string; offset: number; size: number }>();
  /** dir → source device. */
  readonly mounted = new Map<string, string>();
  /** FUSE file → the image it shows. */
  private readonly fuse = new Map<string, string>();
  readonly calls: string[] = [];
  private nextPid = 1000;
  private nextLoop = 0;
  failStart: Error | null = null;
  failUmount: Error | null = null;

  constructor(private readonly fs: FakeFs) {}

  /** A process the test starts (a reused PID, another program). */
  spawnForeign(pid: number, startTime: number, mark: string): void {
    this.procs.set(pid, { startTime, mark, reads: 0 });
  }

  readonly qsd: StorageDaemon = {
    start: async (o) => {
      if (this.failStart) throw this.failStart;
      const pid = this.nextPid++;
      const mark = 'fuseFile' in o.export ? o.export.fuseFile : o.export.socket;
      this.procs.set(pid, { startTime: pid * 10, mark, reads: 0 });
      if ('fuseFile' in o.export) {
        this.fuse.set(o.export.fuseFile, o.image);
        this.fs.files.set(o.export.fuseFile, { mode: 0o400 });
        this.procs.get(pid)!.fuse = o.export.fuseFile;
      } else this.fs.files.set(o.export.socket, { mode: 0o750 });
      this.fs.files.set(o.pidFile, { mode: 0o600, data: String(pid) });
      this.calls.push(`qsd start ${o.image} ${mark}`);
      return { pid, startTime: pid * 10 };
    },
    isOurs: async (p, mark) => {
      const x = this.procs.get(p.pid);
      return x !== undefined && x.startTime === p.startTime && x.mark === mark;
    },
    fromPidFile: async (pidFile, mark) => {
      const pid = Number(this.fs.files.get(pidFile)?.data);
      const x = this.procs.get(pid);
      return x !== undefined && x.mark === mark ? { pid, startTime: x.startTime } : null;
    },
    readCount: async (p: QsdProcess) => this.procs.get(p.pid)?.reads ?? null,
    stop: async (p, mark) => {
      const x = this.procs.get(p.pid);
      if (x === undefined || x.startTime !== p.startTime || x.mark !== mark) return;
      this.procs.delete(p.pid);
      if (x.fuse !== undefined) this.fuse.delete(x.fuse);
      this.calls.push(`qsd stop ${p.pid}`);
    },
  };

  readonly mounter: Mounter = {
    attachLoop: async (file, offset, size) => {
      const dev = `/dev/loop${this.nextLoop++}`;
      this.loops.set(dev, { file, offset, size });
      this.calls.push(`losetup ${file} ${offset} ${size}`);
      return dev;
    },
    loopsBacking: async (file) => [...this.loops].filter(([, l]) => l.file === file).map(([d]) => d),
    loopBackingFile: async (dev) => this.loops.get(dev)?.file ?? null,
    detachLoop: async (dev) => {
      this.loops.delete(dev);
      this.calls.push(`losetup -d ${dev}`);
    },
    mount: async (dev: string, dir: string, fsType: FilesystemType) => {
      this.mounted.set(dir, dev);
      this.calls.push(`mount ${fsType} ${dev} ${dir}`);
    },
    mountSource: async (dir) => this.mounted.get(dir) ?? null,
    umount: async (dir) => {
      if (this.failUmount) throw this.failUmount;
      this.mounted.delete(dir);
      this.calls.push(`umount ${dir}`);
    },
    readAt: async (file, offset, length) => {
      const image = this.fuse.get(file);
      if (image === undefined) throw new VirtpointError('IO_ERROR', `${file} is not an export`);
      return this.content(image).subarray(offset, offset + length);
    },
    imageRead: async (image, _format, offset, length) =>
      this.content(image).subarray(offset, offset + length),
  };

  private content(image: string): Buffer {
    const c = this.disks.get(image);
    if (c === undefined) throw new VirtpointError('IO_ERROR', `no content for ${image}`);
    return c;
  }
}
