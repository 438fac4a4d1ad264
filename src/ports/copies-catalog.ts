/**
 * The catalog's off-host side (`Catalog.copies`, docs/copies.md): targets, the copies of points
 * on them, and the state of uploads in flight (resumed after a daemon restart).
 *
 * No secret ever reaches these records: a target's S3 secret key, SSH identity, pinned
 * known_hosts and encryption key live in 0600 files under <state_dir>/targets/<id>/ (see
 * service/copies); `keyId` is only a fingerprint of the encryption key.
 */

import type { CodedError } from '../core/errors.js';

export interface S3TargetConfig {
  readonly kind: 's3';
  /** e.g. http://127.0.0.1:7480 or https://s3.eu-west-1.amazonaws.com */
  readonly endpoint: string;
  readonly bucket: string;
  /** Prefix of every object name, without a trailing slash ('' for none). */
  readonly prefix: string;
  readonly region: string;
  /** The access key id (an identifier, not the secret). */
  readonly accessKeyId: string;
}

export interface SshTargetConfig {
  readonly kind: 'ssh';
  readonly user: string;
  readonly host: string;
  readonly port: number;
  /** Absolute directory on the remote host. */
  readonly path: string;
}

export type TargetConfig = S3TargetConfig | SshTargetConfig;
export type TargetKind = TargetConfig['kind'];

export interface Target {
  readonly id: string;
  readonly name: string;
  readonly config: TargetConfig;
  /** Fingerprint of the encryption key (core/encryption.ts keyId); null: not encrypted. */
  readonly keyId: string | null;
  /** Bytes per second, or null for no limit. */
  readonly bwlimit: number | null;
  /** `forever` | `chains:N` | `days:N`. */
  readonly retention: string;
  readonly createdAt: number;
}

export interface NewTarget {
  readonly name: string;
  readonly config: TargetConfig;
  readonly keyId: string | null;
  readonly bwlimit: number | null;
  readonly retention: string;
}

export type CopyState = 'copying' | 'copied' | 'failed';

export interface Copy {
  readonly pointId: string;
  readonly targetId: string;
  readonly targetName: string;
  readonly state: CopyState;
  /** When the state last changed (ms). */
  readonly at: number;
  /** Bytes uploaded so far (all of them once copied). */
  readonly bytes: number;
  readonly jobId: string | null;
  readonly error: CodedError | null;
  /** Copy jobs that failed for it since it was last copied (task copies are retried). */
  readonly attempts: number;
  /** When the next retry of a task's copy is due (ms); null: none scheduled. */
  readonly retryAt: number | null;
}

export interface CopyPatch {
  readonly state: CopyState;
  readonly bytes?: number;
  readonly jobId?: string | null;
  /** Required for `failed`, ignored otherwise. */
  readonly error?: CodedError;
  /** Unchanged when absent; `copied` resets it to 0. */
  readonly attempts?: number;
  /** Unchanged when absent; any state but `failed` clears it. */
  readonly retryAt?: number | null;
}

export interface UploadPart {
  readonly partNumber: number;
  readonly size: number;
  /** S3 part ETag; null over SSH. */
  readonly etag: string | null;
  /** Content-MD5 (base64) on S3; sha256 (hex) of what the remote wrote over SSH. */
  readonly checksum: string;
}

export interface Upload {
  readonly targetId: string;
  /** The remote object name. */
  readonly key: string;
  readonly pointId: string;
  /** The local file (store-relative path). */
  readonly file: string;
  readonly size: number;
  readonly partSize: number;
  /** S3 multipart upload id; null over SSH. */
  readonly uploadId: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** Completed parts, by part number. */
  readonly parts: readonly UploadPart[];
  /**
   * An encrypted upload's resume state, opaque here (JSON owned by service/copies: the object's
   * salt, the frame size, the source file's identity); null for a clear upload.
   */
  readonly enc: string | null;
}

export type NewUpload = Omit<Upload, 'createdAt' | 'updatedAt' | 'parts' | 'enc'> & {
  readonly enc?: string | null;
};

export interface CopiesCatalog {
  /**
   * This host's id in the remote layout (docs/copies.md), generated once (isValidId format) and
   * kept in the catalog's settings.
   */
  hostId(): string;
  /** ALREADY_EXISTS when the name is taken. */
  addTarget(target: NewTarget): Target;
  /** By id or by name. */
  getTarget(idOrName: string): Target | null;
  /** TARGET_NOT_FOUND, naming `target list`. */
  requireTarget(idOrName: string): Target;
  /** By name. */
  listTargets(): Target[];
  /**
   * Removes the target row with its copies and upload state (never a remote object).
   * IN_USE while a copy to it is `copying` or a task copies its points to it.
   */
  removeTarget(id: string): void;

  /** Creates or updates the copy of a point on a target. POINT_NOT_FOUND, TARGET_NOT_FOUND. */
  setCopy(pointId: string, targetId: string, patch: CopyPatch): Copy;
  /** Oldest change first. */
  listCopies(filter?: { readonly pointId?: string | readonly string[]; readonly targetId?: string }): Copy[];

  /** Records an upload in flight; an existing one for the same target and key is returned as is. */
  beginUpload(upload: NewUpload): Upload;
  getUpload(targetId: string, key: string): Upload | null;
  listUploads(targetId?: string): Upload[];
  /** Records a completed part (a part recorded again is replaced). */
  recordPart(targetId: string, key: string, part: UploadPart): void;
  /** Forgets an upload and its parts (completed or aborted). */
  endUpload(targetId: string, key: string): void;
}
