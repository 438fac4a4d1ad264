/** Human views of volumes, images and rollback results. */

import type { ImageView, VolumeView } from '../contract/index.js';
import type { RollbackResult } from '../contract/index.js';
import { humanSize, humanTime, keyValues, type Column } from './output.js';

export const VOLUME_COLUMNS: readonly Column<VolumeView>[] = [
  { header: 'ID', value: (v) => v.id },
  { header: 'NAME', value: (v) => v.name },
  { header: 'WHERE', value: (v) => (v.pool !== null ? `pool:${v.pool}` : `dir:${v.dir ?? '-'}`) },
  { header: 'FORMAT', value: (v) => v.format },
  { header: 'POINT', value: (v) => `${v.pointId}:${v.disk}` },
  { header: 'PATH', value: (v) => v.path },
  { header: 'CREATED', value: (v) => humanTime(v.createdAt) },
];

export const IMAGE_COLUMNS: readonly Column<ImageView>[] = [
  { header: 'NAME', value: (i) => i.name },
  { header: 'KIND', value: (i) => (i.linked ? 'linked' : 'full') },
  { header: 'POINT', value: (i) => `${i.pointId}:${i.disk}` },
  { header: 'PATH', value: (i) => i.path },
  { header: 'CREATED', value: (i) => humanTime(i.createdAt) },
];

export function renderVolume(v: VolumeView): string {
  return keyValues([
    ['id', v.id],
    ['name', v.name],
    ['where', v.pool !== null ? `pool ${v.pool}` : `directory ${v.dir ?? '-'}`],
    ['path', v.path],
    ['format', v.format],
    ['point', `${v.pointId} disk ${v.disk}`],
    ['created', humanTime(v.createdAt)],
  ]);
}

export function renderImage(i: ImageView): string {
  return keyValues([
    ['name', i.name],
    ['kind', i.linked ? 'linked (the point is protected until the image is deleted)' : 'full'],
    ['path', i.path],
    ['point', `${i.pointId} disk ${i.disk}`],
    ['created', humanTime(i.createdAt)],
  ]);
}

export function renderRollback(domain: string, pointId: string, r: RollbackResult): string {
  const disks = r.disks.map((d) => `${d.source}→${d.target} (${humanSize(d.bytes)})`).join(', ');
  const lines = [`rolled back ${domain} to point ${pointId}: ${disks}`];
  if (r.checkpointsDropped.length > 0) lines.push(`checkpoints dropped: ${r.checkpointsDropped.join(', ')}`);
  if (r.foreignCheckpoints.length > 0) {
    lines.push(`checkpoints of other tools left alone: ${r.foreignCheckpoints.join(', ')}`);
  }
  lines.push(r.started ? 'the domain was started' : 'the domain is shut off');
  lines.push('the next backup starts a new full chain');
  return lines.join('\n') + '\n';
}
