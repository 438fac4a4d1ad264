/**
 * The Fs port: the host filesystem effects the services need (store directories and files, and
 * the never-overwrite writes of rollback, create-volume and create-image). Implemented on node:fs
 * (src/adapters/node-fs.ts) and by a fake in unit tests.
 *
 * The methods added for the restore side throw VirtpointError: NOT_FOUND (no such file),
 * ALREADY_EXISTS (`link` onto an existing name), NO_SPACE, PERMISSION_DENIED, IO_ERROR.
 */

export interface FileStat {
  /** Bytes (the file's apparent size). */
  readonly size: number;
  /** Permission bits (`mode & 0o7777`). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Bytes allocated on the host filesystem (st_blocks × 512), when the implementation knows. */
  readonly allocated?: number;
  /** Last modification (ms, fractional), inode and device, when the implementation knows. */
  readonly mtimeMs?: number;
  readonly ino?: number;
  readonly dev?: number;
}

export interface Fs {
  /**
   * Creates `path` and its missing parents. The directories it creates get exactly `mode`,
   * whatever the process umask (the daemon runs with 077); existing ones are left as they are.
   */
  mkdir(path: string, mode: number): Promise<void>;
  chmod(path: string, mode: number): Promise<void>;
  /** Removes a file; no error when it is already gone. */
  removeFile(path: string): Promise<void>;
  /** Removes an empty directory; no error when it is gone or not empty. */
  removeDirIfEmpty(path: string): Promise<void>;
  exists(path: string): Promise<boolean>;
  /** Names in a directory; empty when it does not exist. */
  listDir(path: string): Promise<string[]>;
  /** Bytes available to an unprivileged writer on the filesystem holding `path`. */
  freeBytes(path: string): Promise<number>;

  /** Size, permission bits and owner of a file (follows symlinks). */
  stat(path: string): Promise<FileStat>;
  /** Atomic rename within one filesystem; replaces `to` when it exists. */
  rename(from: string, to: string): Promise<void>;
  /** Flushes a file's data and metadata to stable storage. */
  fsyncFile(path: string): Promise<void>;
  /** Flushes a directory (its entries: renames, links, removals) to stable storage. */
  fsyncDir(path: string): Promise<void>;
  chown(path: string, uid: number, gid: number): Promise<void>;
  /**
   * A second name for an existing file (hard link, same filesystem). Fails with ALREADY_EXISTS
   * when `newPath` exists: the never-overwrite primitive (write a temp file, then link it).
   */
  link(existing: string, newPath: string): Promise<void>;
  /**
   * Creates a new file holding `data` with permission bits `mode`; ALREADY_EXISTS when `path`
   * exists (never overwrites). Not synced: callers fsync, then rename (atomic replace).
   */
  writeFile(path: string, data: string, mode: number): Promise<void>;
  /** A file's text (UTF-8); NOT_FOUND when it does not exist. */
  readFile(path: string): Promise<string>;
  /**
   * Reads a file once, start to end: its length and the hex sha256 of its bytes. NOT_FOUND when
   * it does not exist; JOB_CANCELED when `signal` fires.
   */
  checksumFile(path: string, signal?: AbortSignal): Promise<FileChecksum>;
  /**
   * How many file locks (POSIX or OFD, any process) are held on the file now. QEMU locks every
   * image it has open, so 0 tells that QEMU has let go of a backup target. NOT_FOUND when the
   * file does not exist.
   */
  locksHeld(path: string): Promise<number>;
}

export interface FileChecksum {
  readonly size: number;
  readonly sha256: string;
}

/** The Clock port: time and timers, faked in unit tests. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
