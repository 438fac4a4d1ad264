/** Human output of verify results (`point verify`, `chain verify`). */

import type { ChainVerifyResultView, VerifyResultView } from '../contract/index.js';

export function renderVerify(r: VerifyResultView): string {
  const head = `point ${r.point} ${r.deep ? 'deep' : 'quick'} verify: ${r.summary}\n`;
  const bad = r.files.filter((f) => f.verdict !== 'ok');
  const lines = bad.map((f) => `  ${f.file}  ${f.verdict}${f.detail === null ? '' : `: ${f.detail}`}\n`);
  const unchecked = r.files.some((f) => (f.unchecked?.length ?? 0) > 0)
    ? '  (files written before checksums were recorded were checked without them)\n'
    : '';
  const corrupt =
    r.corrupt.length > 0 ? `marked corrupt: ${r.corrupt.join(', ')} (restore refused; delete them)\n` : '';
  return head + lines.join('') + unchecked + corrupt;
}

export function renderChainVerify(r: ChainVerifyResultView): string {
  const head = `chain ${r.chain} verify: ${r.summary}\n`;
  const points = r.points.map((p) => `  ${p.point}  ${p.ok ? 'ok' : 'NOT OK'}  ${p.summary}\n`);
  const bad = r.points
    .flatMap((p) => p.files.filter((f) => f.verdict !== 'ok'))
    .filter((f, i, all) => all.findIndex((g) => g.file === f.file) === i)
    .map((f) => `  ${f.file}  ${f.verdict}${f.detail === null ? '' : `: ${f.detail}`}\n`);
  const corrupt =
    r.corrupt.length > 0 ? `marked corrupt: ${r.corrupt.join(', ')} (restore refused; delete them)\n` : '';
  return head + points.join('') + bad.join('') + corrupt;
}
