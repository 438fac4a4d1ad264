/**
 * Wire types of mounts and exports (docs/restore.md "Mount a point", docs/api.md "Mounts"): a
 * point's disk exposed read-only, as a mounted filesystem or as an NBD export on a Unix socket.
 */

export interface MountInput {
  readonly point: string;
  readonly disk: string;
  /** An empty directory (absolute path). */
  readonly dir: string;
  /** Partition number (`point partitions`); default: the only or the largest Linux one. */
  readonly partition?: number;
}

export interface ExportInput {
  readonly point: string;
  readonly disk: string;
  /** Absolute path of the Unix socket to create (must not exist). */
  readonly socket: string;
}

export interface MountView {
  readonly id: string;
  readonly kind: 'mount' | 'nbd';
  readonly pointId: string;
  readonly disk: string;
  /** The mount directory (kind mount), else null. */
  readonly dir: string | null;
  /** The NBD socket (kind nbd), else null; the export is named `disk`. */
  readonly socket: string | null;
  readonly partition: number | null;
  readonly fsType: 'ext4' | 'xfs' | null;
  readonly loopDevice: string | null;
  readonly qsdPid: number | null;
  readonly createdAt: string;
  readonly lastUsedAt: string;
  /** When it is undone if nothing reads it meanwhile (`mount_idle_minutes`). */
  readonly idleUntil: string;
}

export interface PartitionView {
  /** 0: a filesystem on the whole disk (no partition table). */
  readonly number: number;
  readonly offset: number;
  readonly size: number;
  readonly kind: 'linux' | 'extended' | 'swap' | 'other';
  readonly type: string;
  readonly name: string;
  /** The filesystem found at its start (ext4 covers ext2/3/4), or null. */
  readonly filesystem: 'ext4' | 'xfs' | null;
}

export interface PartitionsView {
  readonly pointId: string;
  readonly disk: string;
  readonly table: 'none' | 'mbr' | 'gpt';
  readonly partitions: readonly PartitionView[];
  /** What `point mount` picks without --partition (null when nothing is mountable). */
  readonly default: number | null;
}

/** `POST /v1/domains` (domain create): a new domain from the XML a point recorded. */
export interface DomainCreateInput {
  readonly point: string;
  /** The new domain's name (letters, digits, `.`, `_`, `-`; ≤ 64). */
  readonly as: string;
  /** An allowed volume directory, or */
  readonly dir?: string;
  /** a libvirt storage pool for the new disks (one of the two unless `linked`). */
  readonly pool?: string;
  /** Thin qcow2 overlays on the point (linked images in the image directory) instead of copies. */
  readonly linked?: boolean;
  readonly start?: boolean;
}

/** The result of a `create-domain` job. */
export interface DomainCreateResult {
  readonly name: string;
  readonly uuid: string;
  readonly disks: readonly {
    readonly target: string;
    readonly path: string;
    /** The volume made (full copy), or null. */
    readonly volume: string | null;
    /** The linked image made (overlay on the point), or null. */
    readonly image: string | null;
  }[];
  /** Disks of the recorded domain that the new one does not have (not backed up). */
  readonly leftOut: readonly string[];
  readonly warnings: readonly string[];
  readonly started: boolean;
}

/** `GET /v1/points/{id}/xml`: the domain XML the point recorded at backup time. */
export interface PointXmlView {
  readonly pointId: string;
  readonly domainUuid: string;
  readonly xml: string;
}
