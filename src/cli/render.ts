/** Human views of the API objects shared by several commands. */

import type { ChainView, DomainView, JobView, PointView } from '../contract/index.js';
import { humanDate, humanSize, humanTime, keyValues, orDash, table, type Column } from './output.js';

export function pointSize(p: PointView): number | null {
  let sum = 0;
  for (const d of p.disks) {
    if (d.size === null) return null;
    sum += d.size;
  }
  return sum;
}

/** `target:state` per copy (`offsite:copied,nas:failed`), `-` for none. */
export function copiesText(p: PointView): string {
  return p.copies.length === 0 ? '-' : p.copies.map((c) => `${c.target}:${c.state}`).join(',');
}

export const POINT_COLUMNS: readonly Column<PointView>[] = [
  { header: 'ID', value: (p) => p.id },
  { header: 'NAME', value: (p) => p.name },
  { header: 'DOMAIN', value: (p) => p.domainName },
  { header: 'CHAIN', value: (p) => p.chainId },
  { header: 'SEQ', value: (p) => String(p.seq), align: 'right' },
  { header: 'KIND', value: (p) => p.kind },
  { header: 'STATE', value: (p) => p.state },
  { header: 'CONSISTENCY', value: (p) => orDash(p.consistency) },
  { header: 'VERIFIED', value: (p) => verifiedText(p) },
  { header: 'OWNER', value: (p) => p.owner },
  { header: 'COPIES', value: (p) => copiesText(p) },
  { header: 'SIZE', value: (p) => humanSize(pointSize(p)), align: 'right' },
  { header: 'CREATED', value: (p) => humanTime(p.createdAt) },
];

/** `never`, or the last verify's outcome and date (`ok 2026-12-01`, `FAILED 2026-12-01`). */
export function verifiedText(p: PointView): string {
  if (p.verify.at === null) return 'never';
  return `${p.verify.state === 'ok' ? 'ok' : 'FAILED'} ${humanDate(p.verify.at)}`;
}

export function renderPoint(p: PointView): string {
  const pairs: [string, string][] = [
    ['id', p.id],
    ['name', p.name],
    ['domain', `${p.domainName} (${p.domain})`],
    ['chain', `${p.chainId} #${p.seq}`],
    ['kind', p.kind],
    ['state', p.state],
    [
      'consistency',
      orDash(p.consistency) + (p.consistencyReason === null ? '' : ` (${p.consistencyReason})`),
    ],
    ['freeze', p.freezeMs === null ? '-' : `${p.freezeMs} ms`],
    ['new chain', orDash(p.newChainReason)],
    ['trigger', p.trigger],
    ['owner', p.owner],
    [
      'verified',
      p.verify.at === null
        ? 'never'
        : `${p.verify.state} ${humanTime(p.verify.at)}${p.verify.deep === true ? ' (deep)' : ''}: ${p.verify.summary ?? ''}`,
    ],
    ['created', humanTime(p.createdAt)],
    ['size', humanSize(pointSize(p))],
  ];
  if (p.error !== null) pairs.push(['error', `${p.error.message} (${p.error.code})`]);
  const disks = table(p.disks, [
    { header: 'DISK', value: (d) => d.target },
    { header: 'VIRTUAL', value: (d) => humanSize(d.virtualSize), align: 'right' },
    { header: 'SIZE', value: (d) => humanSize(d.size), align: 'right' },
    { header: 'PATH', value: (d) => d.path },
  ]);
  return keyValues(pairs) + '\n' + disks;
}

export function progressText(j: JobView): string {
  const { done, total } = j.progress;
  if (total === null) return done === 0 ? '-' : humanSize(done);
  const pct = total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : 100;
  return `${pct}%`;
}

export const JOB_COLUMNS: readonly Column<JobView>[] = [
  { header: 'ID', value: (j) => j.id },
  { header: 'TYPE', value: (j) => j.type },
  { header: 'STATE', value: (j) => j.state },
  { header: 'TRIGGER', value: (j) => j.trigger },
  { header: 'DOMAIN', value: (j) => orDash(j.domainName ?? j.domain) },
  { header: 'POINT', value: (j) => orDash(j.pointId) },
  { header: 'PROGRESS', value: progressText, align: 'right' },
  { header: 'CREATED', value: (j) => humanTime(j.createdAt) },
  { header: 'ERROR', value: (j) => (j.error === null ? '' : j.error.code) },
];

export function renderJob(j: JobView): string {
  const pairs: [string, string][] = [
    ['id', j.id],
    ['type', j.type],
    ['state', j.state],
    ['trigger', j.trigger],
    ['domain', j.domain === null ? '-' : j.domainName === null ? j.domain : `${j.domainName} (${j.domain})`],
    ['point', orDash(j.pointId)],
    [
      'progress',
      j.progress.total === null
        ? humanSize(j.progress.done)
        : `${progressText(j)} (${humanSize(j.progress.done)} / ${humanSize(j.progress.total)})`,
    ],
    ['created', humanTime(j.createdAt)],
    ['started', humanTime(j.startedAt)],
    ['ended', humanTime(j.endedAt)],
  ];
  if (j.error !== null) pairs.push(['error', `${j.error.message} (${j.error.code})`]);
  if (j.result !== null && j.result !== undefined) pairs.push(['result', JSON.stringify(j.result)]);
  return keyValues(pairs);
}

/** A pending or failed chain is never usable; the table says so (docs/cli.md "chain list"). */
function chainState(c: ChainView): string {
  if (c.state === 'pending') return 'pending (full being made)';
  if (c.state === 'failed') return 'failed (full failed, nothing to restore)';
  return c.state + (c.sealReason === null ? '' : ` (${c.sealReason})`);
}

export const CHAIN_COLUMNS: readonly Column<ChainView>[] = [
  { header: 'ID', value: (c) => c.id },
  { header: 'DOMAIN', value: (c) => c.domainName },
  { header: 'DISKS', value: (c) => c.disks.join(',') },
  { header: 'STATE', value: chainState },
  { header: 'OWNER', value: (c) => c.owner },
  { header: 'POINTS', value: (c) => `${c.points}/${c.maxLength}`, align: 'right' },
  { header: 'SIZE', value: (c) => humanSize(c.bytes), align: 'right' },
  { header: 'CREATED', value: (c) => humanTime(c.createdAt) },
];

export const DOMAIN_COLUMNS: readonly Column<DomainView>[] = [
  { header: 'NAME', value: (d) => d.name },
  { header: 'UUID', value: (d) => d.uuid },
  { header: 'STATE', value: (d) => d.state },
  { header: 'AGENT', value: (d) => (d.hasAgentChannel ? 'yes' : 'no') },
  { header: 'DISKS', value: (d) => orDash(d.disks.map((k) => k.target).join(',')) },
  { header: 'CHAINS', value: (d) => String(d.chains), align: 'right' },
  { header: 'POINTS', value: (d) => String(d.points), align: 'right' },
  { header: 'SIZE', value: (d) => humanSize(d.bytes), align: 'right' },
  {
    header: 'LAST POINT',
    value: (d) => (d.lastPoint === null ? '-' : humanTime(d.lastPoint.createdAt)),
  },
];
