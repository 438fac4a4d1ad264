/**
 * Secret files (docs/copies.md, "Secrets"): the operator's files a target is added from, and the
 * daemon's own 0600 copies of them under <state_dir>/targets/<target-id>/. Bytes, never text, and
 * never logged. Implemented on node:fs (adapters/secret-files.ts) and in memory in unit tests.
 */

export interface SecretFileStat {
  readonly regular: boolean;
  readonly size: number;
  /** Permission bits (`mode & 0o7777`). */
  readonly mode: number;
  readonly uid: number;
}

export interface SecretFiles {
  /** Of the file itself (a symlink is not followed: `regular` is false). NOT_FOUND. */
  stat(path: string): Promise<SecretFileStat>;
  /** NOT_FOUND; at most `maxBytes` (INVALID_ARGUMENT beyond). */
  read(path: string, maxBytes: number): Promise<Buffer>;
  /** Writes the daemon's copy `name` of a target's secret (dir 0700, file 0600, fsynced). */
  keep(targetId: string, name: string, bytes: Buffer): Promise<void>;
  /** The daemon's copy; NOT_FOUND when missing. */
  load(targetId: string, name: string): Promise<Buffer>;
  /** Removes the daemon's copies of a target (its directory). */
  forget(targetId: string): Promise<void>;
}
