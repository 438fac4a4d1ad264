/**
 * The OfflineBackup port: QEMU's own backup job run on a disk image no VM has open, in a
 * short-lived qemu-storage-daemon (src/adapters/qmp/offline-backup.ts; a fake in unit tests).
 * The daemon's process is stopped by its exact PID once the job ends, and one left by a killed
 * virtpointd is found again by its PID file and /proc (start time, command line), never by name.
 */

export interface OfflineBackupSpec {
  /** The volume: a qcow2 (opened read-write: only its bitmaps change) or raw file (read-only). */
  readonly source: string;
  readonly sourceFormat: 'qcow2' | 'raw';
  /** The point's file, pre-created (qcow2; for an incremental with the parent as backing). */
  readonly target: string;
  /** `full`, or `incremental` from the persistent bitmap `bitmap`. */
  readonly sync: 'full' | 'incremental';
  readonly bitmap?: string;
  /** Persistent bitmap added to the volume in the same transaction as the job (qcow2 only). */
  readonly newBitmap?: string;
  /** Bitmaps removed from the volume once the job succeeded (the previous tip, a sealed chain's). */
  readonly removeBitmaps?: readonly string[];
  /** Where the QMP socket and the PID file go (one pair per job, named after `tag`). */
  readonly runDir: string;
  /** The point id: names the socket and PID file. */
  readonly tag: string;
  readonly onProgress?: (p: { done: number; total: number | null }) => void;
  readonly signal?: AbortSignal;
}

export interface OfflineBackup {
  /**
   * Starts the daemon, adds source and target, runs `blockdev-backup` (and the bitmap add) in one
   * transaction, waits for the job, removes `removeBitmaps`, stops the daemon (bitmaps are written
   * back to the qcow2 on its clean exit). A failed or canceled job: the new bitmap is removed
   * again (the old one is kept: an incremental clears it only on success), the daemon stopped,
   * and JOB_FAILED / JOB_CANCELED / NO_SPACE thrown.
   */
  run(spec: OfflineBackupSpec): Promise<void>;
  /**
   * Stops every daemon of ours that a PID file in `runDir` names (proved by /proc to be the
   * process started for that job) and removes the PID files and sockets. Returns the tags stopped.
   */
  stopLeftovers(runDir: string): Promise<string[]>;
}
