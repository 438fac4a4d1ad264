/** Validation of POST /v1/backups (docs/api.md "Backups"). */

import { MAX_CHAIN_LENGTH, MIN_CHAIN_LENGTH, POINT_NAME_MAX, QUIESCE_MODES } from '../../core/limits.js';
import { pointNameProblem } from '../../core/names.js';
import type { BackupInput } from '../../contract/index.js';
import { boolean, diskTargets, domainRef, expectObject, integer, invalid, oneOf } from './parse.js';

export function pointName(value: unknown, field: string): string {
  if (typeof value !== 'string') throw invalid(`${field} must be a string`);
  if (value.length > POINT_NAME_MAX * 2)
    throw invalid(`${field} is longer than ${POINT_NAME_MAX} characters`);
  const problem = pointNameProblem(value);
  if (problem !== null) throw invalid(`${field}: ${problem}`);
  return value;
}

/** POST /v1/backups. */
export function parseBackupInput(body: unknown): BackupInput {
  const o = expectObject(body, ['domain', 'disks', 'full', 'name', 'quiesce', 'chainLength']);
  if (o.domain === undefined) throw invalid('domain is required');
  const input: {
    -readonly [K in keyof BackupInput]: BackupInput[K];
  } = { domain: domainRef(o.domain, 'domain') };
  if (o.disks !== undefined) input.disks = diskTargets(o.disks, 'disks');
  if (o.full !== undefined) input.full = boolean(o.full, 'full');
  if (o.name !== undefined) input.name = pointName(o.name, 'name');
  if (o.quiesce !== undefined) input.quiesce = oneOf(o.quiesce, 'quiesce', QUIESCE_MODES);
  if (o.chainLength !== undefined) {
    input.chainLength = integer(o.chainLength, 'chainLength', MIN_CHAIN_LENGTH, MAX_CHAIN_LENGTH);
  }
  return input;
}
