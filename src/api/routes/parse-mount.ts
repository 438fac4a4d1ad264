/** Request parsing of the mount routes (routes/mount.ts): shapes only; the service checks the host. */

import type { ExportInput, MountInput } from '../../contract/index.js';
import { CONTROL_CHARS_RE, DIR_MAX, DISK_TARGET_RE } from '../../core/limits.js';
import { expectObject, id, integer, invalid } from './parse.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function diskTarget(value: unknown, field = 'disk'): string {
  if (typeof value !== 'string' || !DISK_TARGET_RE.test(value)) {
    throw invalid(`${field} must be a disk target (like vda, sdb)`);
  }
  return value;
}

export function absolutePath(value: unknown, field: string): string {
  if (typeof value !== 'string' || !value.startsWith('/')) throw invalid(`${field} must be an absolute path`);
  if (value.length > DIR_MAX || CONTROL_CHARS_RE.test(value)) throw invalid(`${field} is not a valid path`);
  return value;
}

function required(o: Record<string, unknown>, fields: readonly string[]): void {
  for (const f of fields) if (o[f] === undefined) throw invalid(`${f} is required`);
}

/** POST /v1/mounts. */
export function parseMount(body: unknown): MountInput {
  const o = expectObject(body, ['point', 'disk', 'dir', 'partition']);
  required(o, ['point', 'disk', 'dir']);
  const input: Mutable<MountInput> = {
    point: id(o.point, 'point'),
    disk: diskTarget(o.disk),
    dir: absolutePath(o.dir, 'dir'),
  };
  if (o.partition !== undefined) input.partition = integer(o.partition, 'partition', 0, 1024);
  return input;
}

/** POST /v1/exports. */
export function parseExport(body: unknown): ExportInput {
  const o = expectObject(body, ['point', 'disk', 'socket']);
  required(o, ['point', 'disk', 'socket']);
  // A Unix socket path is at most 107 bytes (sun_path).
  const socket = absolutePath(o.socket, 'socket');
  if (Buffer.byteLength(socket) > 107)
    throw invalid('socket is longer than 107 bytes (the Unix socket limit)');
  return { point: id(o.point, 'point'), disk: diskTarget(o.disk), socket };
}
