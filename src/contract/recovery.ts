/** Wire types of the recovery routes (docs/api.md, "Recovery"; docs/recovery.md). */

export interface StoreEntryView {
  /** Relative to the store root. */
  readonly path: string;
  readonly reason: string;
}

/** `POST /v1/catalog/rebuild`. */
export interface RebuildView {
  readonly domains: number;
  readonly chains: number;
  /** Ids of the points rebuilt, oldest first. */
  readonly points: string[];
  /** Manifests not used, with why. */
  readonly skipped: StoreEntryView[];
}

/** `GET /v1/doctor`: the store compared with the catalog now, and the catalog's backups. */
export interface DoctorView {
  readonly ok: boolean;
  readonly catalog: { readonly empty: boolean; readonly backups: string[] };
  readonly store: {
    /** Entries the catalog does not know: left in place. */
    readonly unknown: StoreEntryView[];
    readonly badManifests: StoreEntryView[];
    /** Ids of available points without a manifest. */
    readonly missingManifests: string[];
    /** The daemon's own leftovers (removed at the next start). */
    readonly leftovers: string[];
  };
  /** The preflight checks (libvirt, QEMU, store access, free space, agents, disks, clock); a `fail` makes `ok` false. */
  readonly checks: readonly CheckView[];
}

export interface CheckView {
  readonly name: string;
  readonly status: 'ok' | 'warn' | 'fail';
  readonly message: string;
}

/** Counts in `GET /v1/status` (`store`), from the last scan (start or doctor). */
export interface StoreStatusView {
  readonly unknownFiles: number;
  readonly badManifests: number;
  readonly missingManifests: number;
  readonly scannedAt: string | null;
}
