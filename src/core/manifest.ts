/**
 * Point manifests: the store describes itself (docs/recovery.md). Each available point has one
 * JSON file beside its disk files, `<store>/<domain-uuid>/<chain-id>/<seq>.manifest.json`,
 * holding everything the catalog knows about the point, its chain and its domain, so that the
 * catalog can be rebuilt from the store alone (`virtpoint catalog rebuild`) and an off-host copy
 * (a point's files plus this manifest) is self-contained.
 *
 * Format `virtpoint-point-manifest`, version 1. Times are ms since the epoch, sizes bytes. File
 * names are relative to the manifest's own directory (the chain directory), so a chain directory
 * can be moved whole. `sha256` per file is reserved (null until the verify feature fills it).
 *
 * A volume point (docs/backup-engine.md "Detached volumes") also holds `resource`: the volume
 * it was made of (its `domain` is then the resource: UUID v5 of the path, named by the label), so
 * that a rebuilt catalog knows the resource again. Absent for a domain's point and for volume
 * points written before it existed (an optional key of version 1, like `point.ownerName`).
 *
 * `parseManifest` is strict: unknown keys, wrong types, values outside their domain, a disk list
 * that does not match the chain's disk set, a newer version — all are rejected with
 * INVALID_ARGUMENT naming the field. A bad manifest is reported, never trusted.
 */

import { NEW_CHAIN_REASONS, type NewChainReason } from './chain-decision.js';
import { validateChainLength } from './limits.js';
import { VirtpointError } from './errors.js';
import { TRIGGERS, type Trigger } from './job-state.js';
import { canonicalDiskSet, isValidId, parseCheckpointName, pointNameProblem } from './names.js';
import { isValidDomainUuid, pointDiskFileName } from './store-layout.js';

export const MANIFEST_FORMAT = 'virtpoint-point-manifest';
export const MANIFEST_VERSION = 1;
/** Largest manifest accepted (domain XML included). */
export const MANIFEST_MAX_BYTES = 4 * 1024 * 1024;

const MANIFEST_NAME_RE = /^(0|[1-9][0-9]{0,8})\.manifest\.json$/;
const SHA256_RE = /^[0-9a-f]{64}$/;
const CONSISTENCIES = ['filesystem', 'crash', 'offline'] as const;
const FORMATS = ['qcow2', 'raw'] as const;
const KINDS = ['full', 'incremental'] as const;

export interface ManifestFile {
  /** Disk target (`vda`). */
  readonly disk: string;
  /** File name in the chain directory: `<disk>.<seq>.qcow2`. */
  readonly name: string;
  readonly format: 'qcow2' | 'raw';
  readonly virtualSize: number;
  /** Allocated bytes when the manifest was written; null when unknown. */
  readonly size: number | null;
  /** Backing file name in the same directory (incrementals), or null. */
  readonly backingFile: string | null;
  /** The libvirt checkpoint made with the point, or null. */
  readonly checkpoint: string | null;
  /** Hex sha256 of the file's bytes when written or last rewritten (docs/verify.md); null: not recorded. */
  readonly sha256: string | null;
  /** The file's length then; null: not recorded (optional in the file: absent in older manifests). */
  readonly fileSize: number | null;
}

/** What the catalog's volume_resources row holds of a detached volume (ports/volume-resources.ts). */
export interface ManifestVolumeResource {
  readonly kind: 'volume';
  /** Canonical absolute path of the volume's file at the backup. */
  readonly path: string;
  /** Both set for a libvirt storage volume (label `POOL/VOL`); both null for a file (label: the path). */
  readonly pool: string | null;
  readonly volume: string | null;
  /** The format of the volume itself (its points are always qcow2). */
  readonly format: 'qcow2' | 'raw';
}

/** The label a volume resource is shown and named by: `POOL/VOL`, else its path. */
export function volumeLabel(r: Pick<ManifestVolumeResource, 'path' | 'pool' | 'volume'>): string {
  return r.pool === null || r.volume === null ? r.path : `${r.pool}/${r.volume}`;
}

export interface PointManifest {
  readonly format: typeof MANIFEST_FORMAT;
  readonly version: typeof MANIFEST_VERSION;
  readonly writtenAt: number;
  readonly domain: {
    readonly uuid: string;
    readonly name: string;
    /** The domain XML when the point was made (no secrets: libvirt omits them); null if unknown. */
    readonly xml: string | null;
  };
  /** Optional: set for a volume point (then `domain` is the volume resource); absent for a domain's. */
  readonly resource?: ManifestVolumeResource;
  readonly chain: {
    readonly id: string;
    /** Disk targets, sorted. */
    readonly diskSet: readonly string[];
    readonly maxLength: number;
    readonly createdAt: number;
  };
  readonly point: {
    readonly id: string;
    readonly name: string;
    readonly seq: number;
    readonly kind: 'full' | 'incremental';
    /** The point this one's files back onto (null for a full point). */
    readonly parentId: string | null;
    /** `manual`, `task:<id>`, or null when not known. */
    readonly owner: string | null;
    /**
     * Optional: the owning task's name when the chain was made (shown as `(deleted task NAME)`
     * once the task is gone); absent or null for manual points and older manifests.
     */
    readonly ownerName?: string | null;
    readonly trigger: Trigger;
    readonly consistency: 'filesystem' | 'crash' | 'offline' | null;
    readonly consistencyReason: string | null;
    readonly freezeMs: number | null;
    readonly newChainReason: NewChainReason | null;
    readonly createdAt: number;
  };
  /** One per disk of the chain's disk set, sorted by disk. */
  readonly files: readonly ManifestFile[];
}

/** `<seq>.manifest.json`. */
export function manifestFileName(seq: number): string {
  const name = `${seq}.manifest.json`;
  if (!MANIFEST_NAME_RE.test(name)) throw new VirtpointError('INVALID_ARGUMENT', `invalid seq ${seq}`);
  return name;
}

/** The seq of a manifest file name, or null for any other name. */
export function parseManifestFileName(name: string): number | null {
  const m = MANIFEST_NAME_RE.exec(name);
  return m === null ? null : Number(m[1]);
}

export function serializeManifest(m: PointManifest): string {
  return `${JSON.stringify(parseManifestObject(m), null, 2)}\n`;
}

/** Parses and validates a manifest's text; INVALID_ARGUMENT (`where`: the file) when it is bad. */
export function parseManifest(text: string, where = 'manifest'): PointManifest {
  if (text.length > MANIFEST_MAX_BYTES) throw bad(where, `larger than ${MANIFEST_MAX_BYTES} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw bad(where, `not JSON (${(e as Error).message})`);
  }
  return parseManifestObject(value, where);
}

function bad(where: string, why: string): VirtpointError {
  return new VirtpointError('INVALID_ARGUMENT', `${where}: invalid point manifest: ${why}`);
}

type Obj = Record<string, unknown>;

/** Validates a manifest value (already parsed JSON) and returns a clean copy. */
export function parseManifestObject(value: unknown, where = 'manifest'): PointManifest {
  const fail = (why: string): never => {
    throw bad(where, why);
  };
  /** `optional`: keys added to version 1 later, absent from older manifests. */
  const obj = (v: unknown, field: string, keys: readonly string[], optional: readonly string[] = []): Obj => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(`${field} is not an object`);
    for (const k of Object.keys(v)) {
      if (!keys.includes(k) && !optional.includes(k)) fail(`unknown field ${field}.${k}`);
    }
    for (const k of keys) if (!(k in v)) fail(`missing field ${field}.${k}`);
    return v as Obj;
  };
  const str = (v: unknown, field: string, max = 4096): string =>
    typeof v === 'string' && v.length > 0 && v.length <= max ? v : fail(`${field} is not a string`);
  const int = (v: unknown, field: string): number =>
    typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : fail(`${field} is not a count`);
  const orNull = <T>(v: unknown, f: (x: unknown) => T): T | null => (v === null ? null : f(v));
  const oneOf = <T extends string>(v: unknown, all: readonly T[], field: string): T =>
    all.includes(v as T) ? (v as T) : fail(`${field} is not one of ${all.join(', ')}`);
  const id = (v: unknown, field: string): string => {
    const s = str(v, field);
    return isValidId(s) ? s : fail(`${field} is not an id`);
  };

  // Format and version first: a newer manifest may have other fields.
  const head = (typeof value === 'object' && value !== null ? value : {}) as Obj;
  if (head.format !== MANIFEST_FORMAT && !Array.isArray(value)) fail(`format is not ${MANIFEST_FORMAT}`);
  if (typeof head.version === 'number' && head.version > MANIFEST_VERSION) {
    fail(
      `version ${head.version} is newer than this virtpoint reads (${MANIFEST_VERSION}): upgrade virtpoint`,
    );
  }
  const top = obj(
    value,
    'manifest',
    ['format', 'version', 'writtenAt', 'domain', 'chain', 'point', 'files'],
    ['resource'],
  );
  if (top.version !== MANIFEST_VERSION) fail(`version is not ${MANIFEST_VERSION}`);

  const d = obj(top.domain, 'domain', ['uuid', 'name', 'xml']);
  const uuid = str(d.uuid, 'domain.uuid');
  if (!isValidDomainUuid(uuid)) fail('domain.uuid is not a lowercase UUID');
  const domain = {
    uuid,
    name: str(d.name, 'domain.name', 1024),
    xml: orNull(d.xml, (x) => str(x, 'domain.xml', MANIFEST_MAX_BYTES)),
  };

  const resource = top.resource === undefined ? null : parseResource(top.resource);

  const c = obj(top.chain, 'chain', ['id', 'diskSet', 'maxLength', 'createdAt']);
  if (!Array.isArray(c.diskSet)) fail('chain.diskSet is not a list');
  let diskSet: string[] = [];
  try {
    diskSet = canonicalDiskSet((c.diskSet as unknown[]).map((t, i) => str(t, `chain.diskSet[${i}]`, 64)));
  } catch (e) {
    fail(`chain.diskSet: ${(e as Error).message}`);
  }
  if (diskSet.join(',') !== (c.diskSet as string[]).join(',')) fail('chain.diskSet is not sorted');
  let maxLength = 0;
  try {
    maxLength = validateChainLength(int(c.maxLength, 'chain.maxLength'));
  } catch (e) {
    fail(`chain.maxLength: ${(e as Error).message}`);
  }
  const chain = {
    id: id(c.id, 'chain.id'),
    diskSet,
    maxLength,
    createdAt: int(c.createdAt, 'chain.createdAt'),
  };

  const p = obj(
    top.point,
    'point',
    [
      'id',
      'name',
      'seq',
      'kind',
      'parentId',
      'owner',
      'trigger',
      'consistency',
      'consistencyReason',
      'freezeMs',
      'newChainReason',
      'createdAt',
    ],
    ['ownerName'],
  );
  const name = str(p.name, 'point.name', 1024);
  const problem = pointNameProblem(name);
  if (problem !== null) fail(`point.name: ${problem}`);
  const seq = int(p.seq, 'point.seq');
  if (seq > 999_999_999) fail('point.seq is too large');
  const kind = oneOf(p.kind, KINDS, 'point.kind');
  const parentId = orNull(p.parentId, (x) => id(x, 'point.parentId'));
  if (kind === 'full' && parentId !== null) fail('a full point has no parent');
  if (kind === 'incremental' && (seq === 0 || parentId === null))
    fail('an incremental has seq > 0 and a parent');
  const owner = orNull(p.owner, (x) => str(x, 'point.owner', 64));
  if (owner !== null && owner !== 'manual' && !/^task:[0-9a-z]{1,64}$/.test(owner)) {
    fail('point.owner is neither manual nor task:<id>');
  }
  const ownerName = orNull(p.ownerName ?? null, (x) => str(x, 'point.ownerName', 1024));
  if (ownerName !== null && (owner === null || owner === 'manual'))
    fail('point.ownerName is set but point.owner is not task:<id>');
  const point = {
    id: id(p.id, 'point.id'),
    name,
    seq,
    kind,
    parentId,
    owner,
    ...(ownerName === null ? {} : { ownerName }),
    trigger: oneOf(p.trigger, TRIGGERS, 'point.trigger'),
    consistency: orNull(p.consistency, (x) => oneOf(x, CONSISTENCIES, 'point.consistency')),
    consistencyReason: orNull(p.consistencyReason, (x) => str(x, 'point.consistencyReason')),
    freezeMs: orNull(p.freezeMs, (x) => int(x, 'point.freezeMs')),
    newChainReason: orNull(p.newChainReason, (x) => oneOf(x, NEW_CHAIN_REASONS, 'point.newChainReason')),
    createdAt: int(p.createdAt, 'point.createdAt'),
  };

  if (!Array.isArray(top.files)) fail('files is not a list');
  const files = (top.files as unknown[]).map((v, i): ManifestFile => {
    const f = obj(
      v,
      `files[${i}]`,
      ['disk', 'name', 'format', 'virtualSize', 'size', 'backingFile', 'checkpoint', 'sha256'],
      ['fileSize'],
    );
    const disk = str(f.disk, `files[${i}].disk`, 64);
    if (diskSet[i] !== disk)
      fail(`files[${i}].disk is not disk ${diskSet[i] ?? '(none)'} of the chain's disk set`);
    const fileName = str(f.name, `files[${i}].name`);
    if (fileName !== pointDiskFileName(disk, seq))
      fail(`files[${i}].name is not ${pointDiskFileName(disk, seq)}`);
    const backingFile = orNull(f.backingFile, (x) => str(x, `files[${i}].backingFile`));
    if (backingFile !== null && !new RegExp(`^${disk}\\.(0|[1-9][0-9]{0,8})\\.qcow2$`).test(backingFile)) {
      fail(`files[${i}].backingFile is not a file of disk ${disk} in the chain directory`);
    }
    const checkpoint = orNull(f.checkpoint, (x) => str(x, `files[${i}].checkpoint`));
    if (checkpoint !== null && parseCheckpointName(checkpoint)?.chainId !== chain.id) {
      fail(`files[${i}].checkpoint is not a checkpoint of chain ${chain.id}`);
    }
    const sha256 = orNull(f.sha256, (x) => str(x, `files[${i}].sha256`));
    if (sha256 !== null && !SHA256_RE.test(sha256)) fail(`files[${i}].sha256 is not a lowercase sha256`);
    return {
      disk,
      name: fileName,
      format: oneOf(f.format, FORMATS, `files[${i}].format`),
      virtualSize: int(f.virtualSize, `files[${i}].virtualSize`),
      size: orNull(f.size, (x) => int(x, `files[${i}].size`)),
      backingFile,
      checkpoint,
      sha256,
      fileSize: f.fileSize === undefined ? null : orNull(f.fileSize, (x) => int(x, `files[${i}].fileSize`)),
    };
  });
  if (files.length !== diskSet.length)
    fail(`files lists ${files.length} disks; the chain has ${diskSet.length}`);

  return {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    writtenAt: int(top.writtenAt, 'writtenAt'),
    domain,
    ...(resource === null ? {} : { resource }),
    chain,
    point,
    files,
  };

  function parseResource(v: unknown): ManifestVolumeResource {
    const r = obj(v, 'resource', ['kind', 'path', 'pool', 'volume', 'format']);
    oneOf(r.kind, ['volume'] as const, 'resource.kind');
    const path = str(r.path, 'resource.path');
    if (
      !path.startsWith('/') ||
      path.split('/').some((s, i) => i > 0 && (s === '' || s === '.' || s === '..'))
    )
      fail('resource.path is not a canonical absolute path');
    const pool = orNull(r.pool, (x) => str(x, 'resource.pool', 1024));
    const volume = orNull(r.volume, (x) => str(x, 'resource.volume', 1024));
    if ((pool === null) !== (volume === null))
      fail('resource.pool and resource.volume are not both set or both null');
    if (pool?.includes('/') === true || volume?.includes('/') === true)
      fail('resource.pool or resource.volume holds a /');
    return { kind: 'volume', path, pool, volume, format: oneOf(r.format, FORMATS, 'resource.format') };
  }
}
