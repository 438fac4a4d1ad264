/** Flags shared by `task create` and `task update`, and their local checks (exit 2). */

import type { Options } from 'yargs';

import {
  MAX_TASK_TARGETS,
  parseDiskSelection,
  validateName,
  validateReceivers,
} from '../../core/policy-task.js';
import { parseRetention } from '../../core/retention.js';
import { parsePoolVolume, validateVolumePath } from '../../core/volume-ref.js';
import { toList } from '../validate.js';

export const TASK_OPTIONS = {
  domain: {
    type: 'string',
    describe: 'domain (name or UUID) to back up with all its disks (repeatable)',
    coerce: toList,
  },
  disk: { type: 'string', describe: 'chosen disk of a domain, DOMAIN:TARGET (repeatable)', coerce: toList },
  volume: {
    type: 'string',
    describe: 'detached libvirt storage volume POOL/VOL to back up on its own (repeatable)',
    coerce: toList,
  },
  'volume-path': {
    type: 'string',
    describe: 'detached qcow2/raw file under allowed_volume_dirs to back up on its own (repeatable)',
    coerce: toList,
  },
  'chain-length': { type: 'number', describe: 'points per chain before a new full (1-30, default 30)' },
  retain: {
    type: 'string',
    describe: 'forever (default), chains:N, count:N, days:N or keep-daily:7,keep-weekly:4,… (GFS)',
  },
  notify: {
    type: 'string',
    describe: 'receiver after each run: webhook:https://…, exec:/path or journal (repeatable)',
    coerce: toList,
  },
  'copy-to': {
    type: 'string',
    describe: 'target each new point is copied to after its backup (repeatable, up to 4; --no-copy-to: none)',
    // `--no-copy-to` arrives as the boolean false: no target.
    coerce: (v: unknown) => (v === false || (Array.isArray(v) && v.includes(false)) ? [] : toList(v)),
  },
  'verify-after': {
    type: 'boolean',
    describe: 'verify each new point right after its backup, before retention (--no-verify-after: not)',
  },
} as const satisfies Record<string, Options>;

/** Checks the values of the shared flags; throws an Error whose message is the usage error. */
export function checkTaskFlags(a: {
  domain?: string[];
  disk?: string[];
  volume?: string[];
  volumePath?: string[];
  retain?: string;
  notify?: string[];
  copyTo?: string[];
}): void {
  const rethrow = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      throw new Error((e as Error).message, { cause: e });
    }
  };
  if (a.domain?.some((d) => d.trim() === '')) throw new Error('--domain needs a domain name or UUID');
  for (const d of a.disk ?? []) rethrow(() => parseDiskSelection(d));
  for (const v of a.volume ?? []) rethrow(() => parsePoolVolume(v));
  for (const p of a.volumePath ?? []) rethrow(() => validateVolumePath(p, '--volume-path'));
  if (a.retain !== undefined) rethrow(() => parseRetention(a.retain as string));
  if (a.notify !== undefined) rethrow(() => validateReceivers(a.notify));
  if (a.copyTo !== undefined) {
    if (a.copyTo.length > MAX_TASK_TARGETS)
      throw new Error(`--copy-to names at most ${MAX_TASK_TARGETS} targets`);
    for (const n of a.copyTo) rethrow(() => validateName(n, '--copy-to'));
  }
}
