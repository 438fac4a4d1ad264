/**
 * Wire types of the restore side (docs/restore.md, docs/api.md "Restore"): rollback,
 * create-volume and create-image as jobs, and the volumes and images virtpoint made.
 */

export interface RollbackInput {
  /** Name or UUID. */
  readonly domain: string;
  /** The point id. */
  readonly point: string;
  /** Point disks to restore; default: every disk of the point. */
  readonly disks?: readonly string[];
  /** Point disk → another disk of the domain. */
  readonly map?: Readonly<Record<string, string>>;
  /** Start the domain afterwards; default: if it was running. */
  readonly start?: boolean;
  /** Destroy the domain when it does not shut down in time. */
  readonly force?: boolean;
  /** Graceful shutdown timeout in seconds, 0–3600 (default 120). */
  readonly shutdownTimeout?: number;
  /** A target name: the point is on that target, of this domain (docs/copies.md "Restore from a target"). */
  readonly from?: string;
}

export interface VolumeCreateInput {
  readonly point: string;
  readonly disk: string;
  readonly name: string;
  /** A libvirt storage pool (exactly one of pool and dir). */
  readonly pool?: string;
  /** A directory listed in the config's `allowed_volume_dirs`. */
  readonly dir?: string;
  /** Default qcow2. */
  readonly format?: 'qcow2' | 'raw';
  /** A target name: the point is on that target (docs/copies.md "Restore from a target"). */
  readonly from?: string;
}

export interface ImageCreateInput {
  readonly point: string;
  readonly disk: string;
  readonly name: string;
  /** A thin overlay on the point's file (protects the point and its ancestors). */
  readonly linked?: boolean;
  /** A target name: the point is on that target (docs/copies.md "Restore from a target"); not with linked. */
  readonly from?: string;
}

export interface VolumeView {
  readonly id: string;
  readonly name: string;
  /** The point it was made from (it may have been deleted since). */
  readonly pointId: string;
  readonly disk: string;
  /** The storage pool, or null for a volume in a directory. */
  readonly pool: string | null;
  /** The directory, or null for a volume in a pool. */
  readonly dir: string | null;
  /** Absolute path of the file. */
  readonly path: string;
  readonly format: 'qcow2' | 'raw';
  readonly createdAt: string;
}

export interface ImageView {
  readonly name: string;
  readonly pointId: string;
  readonly disk: string;
  /** Absolute path of the file (in the image directory). */
  readonly path: string;
  readonly linked: boolean;
  readonly createdAt: string;
}

/** The result of a `restore` (rollback) job. */
export interface RollbackResult {
  readonly disks: { readonly source: string; readonly target: string; readonly bytes: number }[];
  /** virtpoint checkpoints deleted from libvirt (metadata only). */
  readonly checkpointsDropped: string[];
  /** Checkpoints of other tools: left alone (their bitmaps went with the old files). */
  readonly foreignCheckpoints: string[];
  readonly started: boolean;
}
