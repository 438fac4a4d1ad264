/**
 * How a detached volume is named (docs/backup-engine.md "Detached volumes"): a libvirt storage
 * volume `POOL/VOLUME`, or the absolute path of a file under allowed_volume_dirs.
 */

import { VirtpointError } from './errors.js';
import { CONTROL_CHARS_RE } from './limits.js';

export type VolumeRef = { readonly pool: string; readonly volume: string } | { readonly path: string };

/** Longest volume path accepted (PATH_MAX). */
export const VOLUME_PATH_MAX = 4096;

/** `POOL/VOL` → its parts (INVALID_ARGUMENT otherwise). */
export function parsePoolVolume(ref: string): { pool: string; volume: string } {
  const i = ref.indexOf('/');
  const pool = ref.slice(0, i);
  const volume = ref.slice(i + 1);
  if (i <= 0 || volume === '' || volume.includes('/'))
    throw new VirtpointError('INVALID_ARGUMENT', `volume ${JSON.stringify(ref)} is not POOL/VOLUME`);
  return { pool, volume };
}

/** An absolute file path without control characters (INVALID_ARGUMENT otherwise). */
export function validateVolumePath(path: unknown, field = 'volumePath'): string {
  if (
    typeof path !== 'string' ||
    !path.startsWith('/') ||
    path.length > VOLUME_PATH_MAX ||
    CONTROL_CHARS_RE.test(path)
  ) {
    throw new VirtpointError(
      'INVALID_ARGUMENT',
      `${field} must be an absolute file path, got ${JSON.stringify(path)}`,
    );
  }
  return path;
}

/** The text an operator gave: `POOL/VOL` or the path. */
export const volumeRefText = (ref: VolumeRef): string =>
  'path' in ref ? ref.path : `${ref.pool}/${ref.volume}`;
