/** Wire types of detached-volume backups (POST /v1/volume-backups, docs/api.md). */

export interface VolumeBackupInput {
  /** A libvirt storage volume `POOL/VOLUME`; exactly one of `volume` and `volumePath`. */
  readonly volume?: string;
  /** An absolute path of a qcow2/raw file under allowed_volume_dirs. */
  readonly volumePath?: string;
  readonly full?: boolean;
  readonly name?: string;
  readonly chainLength?: number;
}

/** A detached volume that has points (GET /v1/volume-resources). */
export interface VolumeResourceView {
  /** The resource UUID its points, chains and jobs carry as `domainUuid`. */
  readonly uuid: string;
  /** `POOL/VOL` or the path. */
  readonly label: string;
  readonly path: string;
  readonly pool: string | null;
  readonly volume: string | null;
  readonly format: 'qcow2' | 'raw';
  readonly lastBackupAt: string | null;
}

export interface VolumeRollbackInput {
  /** A point of a detached volume (its id). */
  readonly pointId: string;
}
