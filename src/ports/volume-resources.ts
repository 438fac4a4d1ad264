/**
 * The catalog's records of detached volumes backed up on their own (migration-v12.ts): one per
 * volume file, keyed by the resource UUID that its points, chains and jobs use where a domain's
 * use the domain UUID (service/volume-backup/resource.ts). Implemented on SQLite
 * (adapters/sqlite/sqlite-volume-resources.ts) and by an in-memory fake in unit tests.
 */

export interface VolumeResource {
  /** UUID v5 of the canonical path (service/volume-backup/resource.ts resourceUuid). */
  readonly uuid: string;
  /** `POOL/VOL` for a libvirt storage volume, else the path. */
  readonly label: string;
  /** Canonical absolute path of the file (at the last backup). */
  readonly path: string;
  /** Both set for a libvirt storage volume; both null for a file under allowed_volume_dirs. */
  readonly pool: string | null;
  readonly volume: string | null;
  readonly format: 'qcow2' | 'raw';
  readonly createdAt: number;
  readonly lastBackupAt: number | null;
}

export type NewVolumeResource = Omit<VolumeResource, 'createdAt' | 'lastBackupAt'>;

export interface VolumeResourceCatalog {
  /**
   * Records the resource (and its domains row, name = label) or updates its label, pool/volume
   * and format; returns it.
   */
  upsert(input: NewVolumeResource): VolumeResource;
  get(uuid: string): VolumeResource | null;
  /** Sorted by label. */
  list(): VolumeResource[];
  /** Sets last_backup_at (a point of it became available). */
  touch(uuid: string, at: number): void;
}
