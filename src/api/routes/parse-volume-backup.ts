/** Validation of POST /v1/volume-backups (docs/api.md "Volume backups"). */

import { MAX_CHAIN_LENGTH, MIN_CHAIN_LENGTH } from '../../core/limits.js';
import type { VolumeBackupInput, VolumeRollbackInput } from '../../contract/index.js';
import { pointName } from './parse-backup.js';
import { boolean, expectObject, id, integer, invalid } from './parse.js';

const text = (v: unknown, field: string, max = 4096): string => {
  if (typeof v !== 'string' || v === '' || v.length > max || v.includes('\0'))
    throw invalid(`${field} must be a non-empty string of at most ${max} characters`);
  return v;
};

export function parseVolumeBackupInput(body: unknown): VolumeBackupInput {
  const o = expectObject(body, ['volume', 'volumePath', 'full', 'name', 'chainLength']);
  if ((o.volume === undefined) === (o.volumePath === undefined))
    throw invalid('give exactly one of volume (POOL/VOLUME) and volumePath (an absolute path)');
  const input: { -readonly [K in keyof VolumeBackupInput]: VolumeBackupInput[K] } = {};
  if (o.volume !== undefined) input.volume = text(o.volume, 'volume', 1024);
  if (o.volumePath !== undefined) {
    input.volumePath = text(o.volumePath, 'volumePath');
    if (!input.volumePath.startsWith('/')) throw invalid('volumePath must be an absolute path');
  }
  if (o.full !== undefined) input.full = boolean(o.full, 'full');
  if (o.name !== undefined) input.name = pointName(o.name, 'name');
  if (o.chainLength !== undefined)
    input.chainLength = integer(o.chainLength, 'chainLength', MIN_CHAIN_LENGTH, MAX_CHAIN_LENGTH);
  return input;
}

/** POST /v1/volume-rollbacks. */
export function parseVolumeRollbackInput(body: unknown): VolumeRollbackInput {
  const o = expectObject(body, ['pointId']);
  if (o.pointId === undefined) throw invalid('pointId is required');
  return { pointId: id(o.pointId, 'pointId') };
}
