/**
 * Restore from a target (docs/copies.md, "Restore from a target"): `GET /v1/targets/{name}/points`
 * (remote list), `POST /v1/targets/{name}/verify` (remote verify), `POST /v1/remote-restores`
 * (remote restore, a `remote-restore` job), `POST /v1/targets/{name}/prune` (remote retention).
 */

/** A point found on a target by its manifest (any host's). */
export interface RemotePointView {
  readonly pointId: string;
  readonly name: string;
  readonly hostId: string;
  /** The host name the copying daemon recorded, or null. */
  readonly hostName: string | null;
  readonly domainUuid: string;
  /** The domain's name; a detached volume's label (`POOL/VOL` or its path) when `volume`. */
  readonly domainName: string;
  /** A detached volume's point (its manifest's `resource`, docs/recovery.md); its domain is the volume. */
  readonly volume: boolean;
  readonly chainId: string;
  readonly seq: number;
  readonly kind: 'full' | 'incremental';
  readonly parentId: string | null;
  readonly createdAt: string;
  readonly disks: readonly string[];
  readonly encrypted: boolean;
  /** Every file the point needs (its own and its ancestors') is there with the right size. */
  readonly complete: boolean;
  /** Object keys missing or of the wrong size (empty when complete); ancestors' manifests too. */
  readonly missing: readonly string[];
  /** Bytes of the point's own objects on the target. */
  readonly bytes: number;
}

export interface RemoteListResult {
  readonly target: string;
  readonly points: readonly RemotePointView[];
  /** Manifests that could not be read (wrong key, damaged, unknown format): never trusted. */
  readonly unreadable: readonly { readonly key: string; readonly code: string; readonly message: string }[];
}

export interface RemoteListFilter {
  /** Domain name or UUID (from the manifests). */
  readonly domain?: string;
  readonly host?: string;
}

export interface RemoteRestoreInput {
  readonly target: string;
  readonly point: string;
  /** The new domain's name. */
  readonly as: string;
  readonly dir?: string;
  readonly pool?: string;
  readonly start?: boolean;
  readonly keepMacs?: boolean;
}

export interface RemoteRestoreResult {
  readonly name: string;
  readonly uuid: string;
  readonly pointId: string;
  readonly disks: readonly { readonly target: string; readonly path: string }[];
  readonly leftOut: readonly string[];
  readonly warnings: readonly string[];
  readonly started: boolean;
}

export type RemoteFileCheck = 'ok' | 'missing' | 'mismatch' | 'unreadable';

export interface RemoteVerifyResult {
  readonly target: string;
  readonly ok: boolean;
  readonly points: readonly {
    readonly pointId: string;
    readonly domainName: string;
    readonly chainId: string;
    readonly seq: number;
    readonly ok: boolean;
    readonly files: readonly {
      readonly key: string;
      readonly state: RemoteFileCheck;
      readonly detail: string | null;
    }[];
  }[];
}

export interface RemotePruneResult {
  readonly target: string;
  readonly retention: string;
  /** Chains deleted (`<domain-uuid>/<chain-id>`), with the objects removed. */
  readonly deletedChains: readonly string[];
  readonly deletedObjects: number;
  readonly keptChains: number;
}
