/**
 * What virtpoint reads from libvirt's domain and checkpoint XML, and the backup/checkpoint XML
 * it writes.
 */
import type { BackupSpec, CheckpointInfo, DiskInfo } from '../../ports/hypervisor.js';
import { child, children, childText, escapeXml, parseXml } from './xml.js';

export const AGENT_CHANNEL_NAME = 'org.qemu.guest_agent.0';

export interface ParsedDomainXml {
  readonly uuid: string;
  readonly name: string;
  readonly disks: DiskInfo[];
  readonly hasAgentChannel: boolean;
}

export function parseDomainXml(xml: string): ParsedDomainXml {
  const root = parseXml(xml);
  const devices = child(root, 'devices');
  const disks: DiskInfo[] = children(devices, 'disk').map((d) => {
    const source = child(d, 'source');
    const sourceType = d.attrs['type'] ?? 'file';
    const path = source?.attrs['file'] ?? source?.attrs['dev'] ?? null;
    const order = child(d, 'boot')?.attrs['order'];
    const pool = source?.attrs['pool'];
    const volume = source?.attrs['volume'];
    return {
      target: child(d, 'target')?.attrs['dev'] ?? '',
      bus: child(d, 'target')?.attrs['bus'] ?? '',
      device: d.attrs['device'] ?? 'disk',
      sourceType,
      sourcePath: path,
      ...(sourceType === 'volume' && pool !== undefined && volume !== undefined
        ? { sourceVolume: { pool, volume } }
        : {}),
      format: child(d, 'driver')?.attrs['type'] ?? null,
      readonly: child(d, 'readonly') !== undefined,
      bootOrder: order !== undefined && /^\d+$/.test(order) ? Number(order) : null,
    };
  });
  const hasAgentChannel = children(devices, 'channel').some(
    (c) => child(c, 'target')?.attrs['name'] === AGENT_CHANNEL_NAME,
  );
  return {
    uuid: childText(root, 'uuid') ?? '',
    name: childText(root, 'name') ?? '',
    disks,
    hasAgentChannel,
  };
}

export function parseCheckpointXml(xml: string): CheckpointInfo {
  const root = parseXml(xml);
  const parent = child(root, 'parent');
  const created = childText(root, 'creationTime');
  return {
    name: childText(root, 'name') ?? '',
    parent: parent ? childText(parent, 'name') : null,
    creationTime: created !== null && /^\d+$/.test(created) ? Number(created) : 0,
    description: childText(root, 'description'),
    disks: children(child(root, 'disks'), 'disk')
      .filter((d) => (d.attrs['checkpoint'] ?? 'bitmap') === 'bitmap')
      .map((d) => ({ target: d.attrs['name'] ?? '', bitmap: d.attrs['bitmap'] ?? null })),
    xml,
  };
}

/** `size` of each bitmap disk in checkpoint XML fetched with the SIZE flag: bytes changed since it. */
export function parseCheckpointSizes(xml: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of children(child(parseXml(xml), 'disks'), 'disk')) {
    const size = d.attrs['size'];
    if ((d.attrs['checkpoint'] ?? 'bitmap') === 'bitmap' && size !== undefined && /^\d+$/.test(size))
      out[d.attrs['name'] ?? ''] = Number(size);
  }
  return out;
}

/** Push-mode backup XML: listed disks go to their pre-created targets, all others are excluded. */
export function buildBackupXml(spec: BackupSpec, allDiskTargets: readonly string[]): string {
  const wanted = new Set(spec.disks.map((d) => d.target));
  const lines = ["<domainbackup mode='push'>"];
  if (spec.incrementalFrom !== undefined)
    lines.push(`  <incremental>${escapeXml(spec.incrementalFrom)}</incremental>`);
  lines.push('  <disks>');
  for (const d of spec.disks) {
    lines.push(`    <disk name='${escapeXml(d.target)}' backup='yes' type='file'>`);
    lines.push(`      <target file='${escapeXml(d.targetPath)}'/>`);
    lines.push(`      <driver type='${escapeXml(d.targetFormat)}'/>`);
    lines.push('    </disk>');
  }
  for (const t of allDiskTargets) {
    if (!wanted.has(t)) lines.push(`    <disk name='${escapeXml(t)}' backup='no'/>`);
  }
  lines.push('  </disks>', '</domainbackup>');
  return lines.join('\n');
}

/** Checkpoint XML created atomically with a backup job: bitmaps on the listed disks only. */
export function buildCheckpointXml(
  name: string,
  description: string | undefined,
  bitmapTargets: readonly string[],
  allDiskTargets: readonly string[],
): string {
  const wanted = new Set(bitmapTargets);
  const lines = ['<domaincheckpoint>', `  <name>${escapeXml(name)}</name>`];
  if (description !== undefined) lines.push(`  <description>${escapeXml(description)}</description>`);
  lines.push('  <disks>');
  for (const t of bitmapTargets) lines.push(`    <disk name='${escapeXml(t)}' checkpoint='bitmap'/>`);
  for (const t of allDiskTargets) {
    if (!wanted.has(t)) lines.push(`    <disk name='${escapeXml(t)}' checkpoint='no'/>`);
  }
  lines.push('  </disks>', '</domaincheckpoint>');
  return lines.join('\n');
}

/** Storage volume XML for virStorageVolCreateXML: an empty volume of `capacity` bytes. */
export function buildVolumeXml(volume: { name: string; capacity: number; format: string }): string {
  return [
    '<volume>',
    `  <name>${escapeXml(volume.name)}</name>`,
    `  <capacity unit='bytes'>${Math.trunc(volume.capacity)}</capacity>`,
    `  <allocation unit='bytes'>0</allocation>`,
    `  <target><format type='${escapeXml(volume.format)}'/></target>`,
    '</volume>',
  ].join('\n');
}

/** The targets of a domain's disks (not cdroms), from its XML. */
export function diskTargets(xml: string): string[] {
  return parseDomainXml(xml)
    .disks.filter((x) => x.device === 'disk' && x.target !== '')
    .map((x) => x.target);
}
