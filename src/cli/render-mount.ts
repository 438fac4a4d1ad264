/** Human views of mounts, exports and partitions. */

import type { MountView, PartitionsView } from '../contract/index.js';
import { humanSize, humanTime, keyValues, orDash, table, type Column } from './output.js';

export const MOUNT_COLUMNS: readonly Column<MountView>[] = [
  { header: 'ID', value: (m) => m.id },
  { header: 'KIND', value: (m) => m.kind },
  { header: 'POINT', value: (m) => `${m.pointId}:${m.disk}` },
  { header: 'PART', value: (m) => orDash(m.partition) },
  { header: 'FS', value: (m) => orDash(m.fsType) },
  { header: 'WHERE', value: (m) => m.dir ?? m.socket ?? '-' },
  { header: 'LAST READ', value: (m) => humanTime(m.lastUsedAt) },
  { header: 'IDLE UNTIL', value: (m) => humanTime(m.idleUntil) },
];

export function renderMount(m: MountView): string {
  const where: [string, string] =
    m.kind === 'mount'
      ? ['mounted', `${m.dir ?? '-'} (read-only)`]
      : ['nbd', `nbd+unix:///disk?socket=${m.socket ?? ''}`];
  return keyValues([
    ['id', m.id],
    where,
    ['point', `${m.pointId} disk ${m.disk}`],
    ...(m.kind === 'mount'
      ? ([
          ['partition', `${orDash(m.partition)} (${orDash(m.fsType)}, journal not replayed)`],
          ['loop device', orDash(m.loopDevice)],
        ] as [string, string][])
      : []),
    ['idle until', `${humanTime(m.idleUntil)} (undone when nothing reads it)`],
  ]);
}

export function renderPartitions(v: PartitionsView): string {
  const head = `point ${v.pointId} disk ${v.disk}: ${v.table === 'none' ? 'no partition table' : v.table}\n`;
  const rows = table(v.partitions, [
    { header: 'N', value: (p) => String(p.number), align: 'right' },
    { header: 'START', value: (p) => String(p.offset), align: 'right' },
    { header: 'SIZE', value: (p) => humanSize(p.size), align: 'right' },
    { header: 'KIND', value: (p) => p.kind },
    { header: 'FS', value: (p) => orDash(p.filesystem) },
    { header: 'NAME', value: (p) => p.name || '-' },
    { header: 'DEFAULT', value: (p) => (p.number === v.default ? 'yes' : '') },
  ]);
  return head + rows;
}
