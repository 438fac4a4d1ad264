/**
 * The host effects of mounting a point (service/mount): qemu-storage-daemon processes (FUSE or
 * NBD exports of a qcow2 chain, read-only), loop devices and mounts, and the checks that prove a
 * recorded process, loop device or mount is still the one the daemon made. Everything is by the
 * exact PID, device or path recorded; nothing is ever looked up by a name pattern.
 */

import type { FilesystemType } from '../core/partitions.js';

export interface QsdProcess {
  readonly pid: number;
  /** Clock ticks after boot (field 22 of /proc/PID/stat). */
  readonly startTime: number;
}

export interface StorageDaemon {
  /**
   * Starts qemu-storage-daemon exporting `image` (qcow2 chain through its backing files, or raw)
   * read-only as a raw file at `fuseFile` (created empty first) or as NBD on the Unix socket
   * `socket`; resolves once the export is there. `pidFile` is the daemon's own.
   */
  start(opts: {
    readonly image: string;
    readonly format: 'qcow2' | 'raw';
    readonly export: { readonly fuseFile: string } | { readonly socket: string };
    readonly pidFile: string;
  }): Promise<QsdProcess>;
  /**
   * Whether `pid` is still the qemu-storage-daemon recorded: alive, started at `startTime`, and
   * its command line names `mark` (the FUSE file or socket path).
   */
  isOurs(proc: QsdProcess, mark: string): Promise<boolean>;
  /**
   * The process a PID file of ours names, if it is a qemu-storage-daemon whose command line names
   * `mark` (for a crash between its start and the catalog recording its PID); else null.
   */
  fromPidFile(pidFile: string, mark: string): Promise<QsdProcess | null>;
  /** Bytes the process has read so far (/proc/PID/io rchar): a mount in use reads. Null when gone. */
  readCount(proc: QsdProcess): Promise<number | null>;
  /** SIGTERM to exactly this PID (checked with isOurs first), then waits until it is gone. */
  stop(proc: QsdProcess, mark: string): Promise<void>;
}

export interface Mounter {
  /** `losetup --read-only --offset --sizelimit --find --show FILE`; the /dev/loopN attached. */
  attachLoop(file: string, offset: number, size: number): Promise<string>;
  /** The loop devices whose backing file is exactly `file` (none of them made by name). */
  loopsBacking(file: string): Promise<string[]>;
  /** The file /dev/loopN is backed by (from /sys/block/loopN/loop/backing_file), or null. */
  loopBackingFile(device: string): Promise<string | null>;
  detachLoop(device: string): Promise<void>;
  /** `mount -t TYPE -o ro,noload (ext4) / ro,norecovery (xfs) DEVICE DIR`. */
  mount(device: string, dir: string, fsType: FilesystemType): Promise<void>;
  /** Whether `dir` is a mount point (the host's mountinfo), and of which source. */
  mountSource(dir: string): Promise<string | null>;
  umount(dir: string): Promise<void>;
  /** `length` bytes of a file from `offset` (short at its end). */
  readAt(file: string, offset: number, length: number): Promise<Buffer>;
  /**
   * `length` bytes of a disk image's content from `offset` (sector-aligned): `qemu-img dd`
   * through its backing chain into `scratch`, read, removed. For listing partitions without an
   * export.
   */
  imageRead(
    image: string,
    format: 'qcow2' | 'raw',
    offset: number,
    length: number,
    scratch: string,
  ): Promise<Buffer>;
}
