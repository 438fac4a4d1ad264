/**
 * Validation of the rollback, volume and image requests (docs/api.md, "Restore"): the shape here
 * (unknown fields refused, JSON types, ids, disk targets, names); what needs the catalog or
 * libvirt (the point's disks, allowed directories, pools, names taken) is checked by the
 * services' `check…` before a job is queued.
 */

import {
  CONTROL_CHARS_RE,
  DIR_MAX,
  DISK_TARGET_RE,
  MAX_SHUTDOWN_TIMEOUT_MS,
  POOL_NAME_MAX,
} from '../../core/limits.js';
import { validateFileName } from '../../core/names.js';
import type { ImageCreateInput, RollbackInput, VolumeCreateInput } from '../../contract/index.js';
import { boolean, diskTargets, domainRef, expectObject, id, integer, invalid, oneOf } from './parse.js';

const SHUTDOWN_TIMEOUT_MAX_S = MAX_SHUTDOWN_TIMEOUT_MS / 1000;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function diskTarget(value: unknown, field: string): string {
  if (typeof value !== 'string' || !DISK_TARGET_RE.test(value)) {
    throw invalid(`${field} must be a disk target (like vda, sdb)`);
  }
  return value;
}

/** A volume or image name: 1–255 of A-Z a-z 0-9 . _ -, not starting with . or -. */
export function fileName(value: unknown, what: 'volume' | 'image'): string {
  if (typeof value !== 'string') throw invalid(`name must be a string (the ${what} name)`);
  return validateFileName(value, what);
}

/** `map`: an object point disk → domain disk; no two disks onto the same target. */
function diskMap(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('map must be an object of disk targets, like {"vda": "vdb"}');
  }
  const out: Record<string, string> = {};
  const targets = new Set<string>();
  for (const [from, to] of Object.entries(value as Record<string, unknown>)) {
    diskTarget(from, `map key ${JSON.stringify(from)}`);
    const t = diskTarget(to, `map.${from}`);
    if (targets.has(t)) throw invalid(`map puts two disks onto ${t}`);
    targets.add(t);
    out[from] = t;
  }
  if (Object.keys(out).length === 0) throw invalid('map must name at least one disk');
  return out;
}

/** `from`: a target's name (docs/copies.md "Restore from a target"). */
function targetName(value: unknown): string {
  if (typeof value !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(value)) {
    throw invalid('from must be a target name (see virtpoint target list)');
  }
  return value;
}

/** POST /v1/domains/{ref}/rollback. */
export function parseRollback(ref: unknown, body: unknown): RollbackInput {
  const o = expectObject(body, ['point', 'disks', 'map', 'start', 'force', 'shutdownTimeout', 'from']);
  if (o.point === undefined) throw invalid('point is required');
  const input: Mutable<RollbackInput> = { domain: domainRef(ref, 'domain'), point: id(o.point, 'point') };
  if (o.disks !== undefined) input.disks = diskTargets(o.disks, 'disks');
  if (o.map !== undefined) input.map = diskMap(o.map);
  if (o.start !== undefined) input.start = boolean(o.start, 'start');
  if (o.force !== undefined) input.force = boolean(o.force, 'force');
  if (o.shutdownTimeout !== undefined) {
    input.shutdownTimeout = integer(o.shutdownTimeout, 'shutdownTimeout', 0, SHUTDOWN_TIMEOUT_MAX_S);
  }
  if (o.from !== undefined) input.from = targetName(o.from);
  return input;
}

function dirPath(value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/')) throw invalid('dir must be an absolute path');
  if (value.length > DIR_MAX || CONTROL_CHARS_RE.test(value)) throw invalid('dir is not a valid path');
  return value;
}

function poolName(value: unknown): string {
  if (typeof value !== 'string' || value === '') throw invalid('pool must be a storage pool name');
  if (value.length > POOL_NAME_MAX || CONTROL_CHARS_RE.test(value) || value.includes('/')) {
    throw invalid(`pool ${JSON.stringify(value)} is not a valid storage pool name`);
  }
  return value;
}

/** POST /v1/volumes: exactly one of pool and dir. */
export function parseVolumeCreate(body: unknown): VolumeCreateInput {
  const o = expectObject(body, ['point', 'disk', 'name', 'pool', 'dir', 'format', 'from']);
  for (const f of ['point', 'disk', 'name'] as const)
    if (o[f] === undefined) throw invalid(`${f} is required`);
  if ((o.pool === undefined) === (o.dir === undefined)) {
    throw invalid('give exactly one of pool (a libvirt storage pool) and dir (an allowed directory)');
  }
  const input: Mutable<VolumeCreateInput> = {
    point: id(o.point, 'point'),
    disk: diskTarget(o.disk, 'disk'),
    name: fileName(o.name, 'volume'),
  };
  if (o.pool !== undefined) input.pool = poolName(o.pool);
  if (o.dir !== undefined) input.dir = dirPath(o.dir);
  if (o.format !== undefined) input.format = oneOf(o.format, 'format', ['qcow2', 'raw'] as const);
  if (o.from !== undefined) input.from = targetName(o.from);
  return input;
}

/** POST /v1/images. */
export function parseImageCreate(body: unknown): ImageCreateInput {
  const o = expectObject(body, ['point', 'disk', 'name', 'linked', 'from']);
  for (const f of ['point', 'disk', 'name'] as const)
    if (o[f] === undefined) throw invalid(`${f} is required`);
  const input: Mutable<ImageCreateInput> = {
    point: id(o.point, 'point'),
    disk: diskTarget(o.disk, 'disk'),
    name: fileName(o.name, 'image'),
  };
  if (o.linked !== undefined) input.linked = boolean(o.linked, 'linked');
  if (o.from !== undefined) input.from = targetName(o.from);
  if (input.linked === true && input.from !== undefined) {
    throw invalid(
      'a linked image cannot be made from a point on a target (its backing files would be temporary); leave out linked',
    );
  }
  return input;
}
