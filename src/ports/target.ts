/**
 * The off-host target port (docs/copies.md): an object store reached over S3 or SSH/SFTP.
 * Keys are `/`-separated names under the target's prefix (S3) or directory (SSH), built only
 * by core/remote-layout.ts; the adapter joins them to the prefix/path and never interprets them.
 *
 * Large files go up as multipart uploads: `beginUpload` → `putPart` per part (each checked by
 * the adapter: Content-MD5 on S3, the sha256 the remote computed over SSH, a mismatch is
 * DATA_CORRUPT) → `completeUpload`. An object is visible under its key only once complete; the
 * upload id and the completed parts are kept in the catalog (CopiesCatalog uploads) so a daemon
 * restart resumes from the last completed part. `listUploads`/`abortUpload` find and remove
 * uploads nobody will complete.
 *
 * Errors: TARGET_UNREACHABLE (connect/DNS/timeout), TARGET_AUTH_FAILED (credentials, host key),
 * TARGET_ERROR (any other refusal, with the server's code and message), REMOTE_NOT_FOUND
 * (`get`/`openRead` of a missing key). Secrets never appear in messages.
 */

import type { Readable } from 'node:stream';

export interface RemoteObject {
  readonly key: string;
  readonly size: number;
  /** Last modification (ms), when the server says. */
  readonly modifiedAt: number | null;
}

export interface RemoteUpload {
  readonly key: string;
  /** S3 upload id; over SSH the name of the remote staging directory's upload. */
  readonly uploadId: string;
  /** When it was started (ms), when known. */
  readonly startedAt: number | null;
}

export interface CompletedPart {
  readonly partNumber: number;
  readonly size: number;
  /** S3 part ETag; null over SSH. */
  readonly etag: string | null;
  /** Content-MD5 (base64) on S3; sha256 (hex) of what the remote wrote over SSH. */
  readonly checksum: string;
}

export interface TargetStore {
  /** Writes a small object whole (manifests, probes); visible only once written completely. */
  putObject(key: string, body: Buffer): Promise<void>;
  /** Reads a small object whole (bounded by maxBytes: TARGET_ERROR beyond). */
  getObject(key: string, maxBytes: number): Promise<Buffer>;
  /** Streams an object (parallel ranged reads where the adapter can). */
  openRead(key: string): Promise<Readable>;
  /** Size and date of an object, or null when absent. */
  head(key: string): Promise<RemoteObject | null>;
  /** Every object whose key starts with `prefix` (all pages), sorted by key. */
  list(prefix: string): Promise<RemoteObject[]>;
  /** Deletes an object; a missing key is not an error. */
  delete(key: string): Promise<void>;

  beginUpload(key: string): Promise<string>;
  /** Uploads part `partNumber` (1-based) and checks what the remote received. */
  putPart(key: string, uploadId: string, partNumber: number, data: Buffer): Promise<CompletedPart>;
  /** Makes the object visible under `key` from the parts, in part-number order. */
  completeUpload(key: string, uploadId: string, parts: readonly CompletedPart[]): Promise<void>;
  /** Removes an unfinished upload and its parts; an unknown upload is not an error. */
  abortUpload(key: string, uploadId: string): Promise<void>;
  /** Unfinished uploads whose key starts with `prefix`. */
  listUploads(prefix: string): Promise<RemoteUpload[]>;

  /** Remote sha256 of a whole object when the adapter can compute it there (SSH); else null. */
  remoteSha256(key: string): Promise<string | null>;

  close(): Promise<void>;
}

/** Opens a store for a target (reads its secrets from the daemon's own 0600 copies). */
export interface TargetStoreFactory {
  open(targetId: string): Promise<TargetStore>;
}
