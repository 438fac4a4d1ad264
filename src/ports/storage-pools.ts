/**
 * The StoragePools port: libvirt storage pools and volumes, in service terms (create-volume puts a
 * point's disk into a pool "so libvirt knows it"). Implemented by LibvirtHypervisor
 * (src/adapters/libvirt/hypervisor.ts) and by a fake in unit tests.
 *
 * Errors: POOL_NOT_FOUND (no such pool), VOLUME_NOT_FOUND, ALREADY_EXISTS (a volume of that
 * name exists), LIBVIRT_* for the transport.
 */

export interface PoolInfo {
  readonly name: string;
}

export interface VolumeSpec {
  /** The volume's name in the pool (a file name in directory pools). */
  readonly name: string;
  /** Virtual size in bytes. */
  readonly capacity: number;
  readonly format: 'qcow2' | 'raw';
}

export interface StoragePools {
  /** POOL_NOT_FOUND when libvirt has no pool of that name. */
  lookupPool(name: string): Promise<PoolInfo>;
  /** Re-reads the pool's contents (volumes made or removed outside libvirt). */
  refreshPool(name: string): Promise<void>;
  /** Creates an empty volume; returns its absolute path. ALREADY_EXISTS when the name is taken. */
  createVolume(pool: string, volume: VolumeSpec): Promise<string>;
  /** Deletes the volume at `path` (file and libvirt's record). VOLUME_NOT_FOUND when gone. */
  deleteVolume(path: string): Promise<void>;
}
