/** Human output of targets and copies (docs/copies.md). */

import type { CopyView, TargetView } from '../contract/index.js';
import { humanSize, humanTime, keyValues, type Column } from './output.js';

export const TARGET_COLUMNS: readonly Column<TargetView>[] = [
  { header: 'NAME', value: (t) => t.name },
  { header: 'KIND', value: (t) => t.kind },
  { header: 'LOCATION', value: (t) => t.location },
  { header: 'ENCRYPTED', value: (t) => (t.encryption === null ? 'no' : `key ${t.encryption.keyId}`) },
  { header: 'RETENTION', value: (t) => t.retention },
  { header: 'COPIED', value: (t) => String(t.copies.copied), align: 'right' },
  { header: 'FAILED', value: (t) => String(t.copies.failed), align: 'right' },
];

export function renderTarget(t: TargetView): string {
  const pairs: [string, string][] = [
    ['name', t.name],
    ['id', t.id],
    ['kind', t.kind],
    ['location', t.location],
  ];
  if (t.s3 !== null) {
    pairs.push(
      ['region', t.s3.region],
      ['access key id', t.s3.accessKeyId],
      ['secret key', 'kept by virtpointd (0600)'],
    );
  }
  if (t.ssh !== null)
    pairs.push(
      ['identity', 'kept by virtpointd (0600)'],
      ['host key', 'pinned (known_hosts kept by virtpointd)'],
    );
  pairs.push(
    ['encryption', t.encryption === null ? 'none' : `${t.encryption.cipher}, key ${t.encryption.keyId}`],
    ['bandwidth limit', t.bwlimit === null ? 'none' : `${humanSize(t.bwlimit)}/s`],
    ['retention', t.retention],
    ['copies', `${t.copies.copied} copied, ${t.copies.copying} copying, ${t.copies.failed} failed`],
    ['added', humanTime(t.createdAt)],
  );
  return keyValues(pairs);
}

/** The COPIES cell of a point: `offsite✓ nas✗`, or `-` for none. */
export function copiesCell(copies: readonly CopyView[] | undefined): string {
  if (copies === undefined || copies.length === 0) return '-';
  const mark = { copied: '', copying: '…', failed: '!' } as const;
  return copies.map((c) => `${c.target}${mark[c.state]}`).join(',');
}
