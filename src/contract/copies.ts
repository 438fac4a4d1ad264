/**
 * Off-host targets and copies (docs/copies.md): `POST /v1/targets`, `GET /v1/targets`,
 * `GET /v1/targets/{name}`, `DELETE /v1/targets/{name}`. Secrets travel as paths of files the
 * operator owns (0600), never as values, and no view ever holds one.
 */

export interface S3TargetInput {
  /** e.g. `http://127.0.0.1:7480` (Ceph RGW, MinIO) or `https://s3.eu-west-1.amazonaws.com`. */
  readonly url: string;
  readonly bucket: string;
  readonly prefix?: string;
  /** Default `us-east-1` (any value for RGW/MinIO). */
  readonly region?: string;
  readonly accessKeyId: string;
  /** A file holding the secret access key (mode 0600 or stricter). */
  readonly secretKeyFile: string;
}

export interface SshTargetInput {
  /** `USER@HOST[:PORT]:/PATH` */
  readonly url: string;
  /** The private key (0600). */
  readonly identityFile: string;
  /** A known_hosts file holding the host key to pin (no trust on first use). */
  readonly knownHostsFile: string;
}

export interface TargetAddInput {
  readonly name: string;
  readonly s3?: S3TargetInput;
  readonly ssh?: SshTargetInput;
  /** 32 random bytes (0600): copies are encrypted client-side (AES-256-GCM frames). */
  readonly encryptKeyFile?: string;
  /** e.g. `50M` (bytes per second; K, M, G are powers of 1024). */
  readonly bwlimit?: string;
  /** `forever` (default) | `chains:N` | `days:N`: remote retention. */
  readonly retention?: string;
}

export interface TargetView {
  readonly id: string;
  readonly name: string;
  readonly kind: 's3' | 'ssh';
  /** `s3://bucket/prefix at URL` or `ssh://user@host:port/path`: no secret. */
  readonly location: string;
  readonly s3: {
    readonly url: string;
    readonly bucket: string;
    readonly prefix: string;
    readonly region: string;
    readonly accessKeyId: string;
  } | null;
  readonly ssh: {
    readonly user: string;
    readonly host: string;
    readonly port: number;
    readonly path: string;
  } | null;
  /** `aes-256-gcm` with the key's fingerprint, or null. */
  readonly encryption: { readonly cipher: 'aes-256-gcm'; readonly keyId: string } | null;
  readonly bwlimit: number | null;
  readonly retention: string;
  readonly createdAt: string;
  /** Copies on this target by state. */
  readonly copies: { readonly copying: number; readonly copied: number; readonly failed: number };
}

/** A point's copy on a target (point views; `point list` COPIES column). */
export interface CopyView {
  readonly target: string;
  readonly state: 'copying' | 'copied' | 'failed';
  readonly at: string;
  readonly bytes: number;
  readonly error: { readonly code: string; readonly message: string } | null;
  /** Copy jobs that failed since it was last copied (a task's copies are retried). */
  readonly attempts: number;
  /** When the next retry of a task's copy is due; null: none. */
  readonly retryAt: string | null;
}

/** `target test` (POST /v1/targets/{name}/test): a probe object written, read back, deleted. */
export interface TargetTestView {
  readonly target: string;
  /** The probe's key under the target's prefix (`probe/<random>`); deleted again. */
  readonly key: string;
  readonly bytes: number;
  /** One round trip (a HEAD of a missing key), ms. */
  readonly latencyMs: number;
  readonly writeMs: number;
  readonly readMs: number;
  readonly deleteMs: number;
  /** Bytes per second of the write and of the read (paced by the target's bwlimit). */
  readonly writeBytesPerSecond: number;
  readonly readBytesPerSecond: number;
}

/** `POST /v1/points/{id}/copy` and `POST /v1/chains/{id}/copy`: the target, by name or id. */
export interface CopyInput {
  readonly target: string;
}

/** A finished `copy` job's result: per point (oldest first) the objects uploaded or already there. */
export interface CopyResultView {
  readonly target: string;
  readonly points: readonly {
    readonly pointId: string;
    /** Bytes uploaded by this job (objects already on the target not counted). */
    readonly bytes: number;
    readonly uploaded: readonly string[];
    readonly skipped: readonly string[];
  }[];
}
