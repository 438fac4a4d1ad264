/**
 * The Fs port: the host filesystem effects the services need (store directories and files).
 * Implemented on node:fs (src/adapters/node-fs.ts) and by a fake in unit tests.
 */
export interface Fs {
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
}

/** The Clock port: time and timers, faked in unit tests. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
