/**
 * Points of one domain: its chains drawn full → incrementals, each point's state, size,
 * consistency and freeze window, and the actions the API has for a point.
 */
import type { ChainView, DomainView, PointView } from '../../../src/contract/index.js';
import { api } from '../api.js';
import { button, h } from '../dom.js';
import { age, bytes } from '../format.js';
import {
  deleteDialog,
  imageDialog,
  mountDialog,
  rollbackDialog,
  verifyDialog,
  volumeDialog,
} from './point-actions.js';

export function pointBytes(p: PointView): number {
  return p.disks.reduce((s, d) => s + (d.size ?? 0), 0);
}

/** Every point of the domain (the API pages by 1000; follows the pages). */
export async function allPoints(domain: string): Promise<PointView[] | string> {
  const out: PointView[] = [];
  let after: string | undefined;
  for (;;) {
    const r = await api<PointView[]>('GET', '/v1/points', undefined, { domain, limit: '1000', after });
    if (!r.ok) return `${r.error.message} (${r.error.code})`;
    out.push(...r.data);
    if (r.data.length < 1000) return out;
    after = r.data[r.data.length - 1]?.id;
  }
}

export async function renderPoints(main: HTMLElement, domainName: string): Promise<void> {
  const [dom, chains] = await Promise.all([
    api<DomainView>('GET', `/v1/domains/${encodeURIComponent(domainName)}`),
    api<ChainView[]>('GET', '/v1/chains', undefined, { domain: domainName }),
  ]);
  const points = await allPoints(domainName);
  main.replaceChildren(
    h('p', {}, h('a', { href: '#/overview' }, '← Overview')),
    h('h1', { class: 'pf-v6-c-title pf-m-2xl' }, `Points of ${domainName}`),
  );
  if (!dom.ok || !chains.ok || typeof points === 'string') {
    const msg = !dom.ok
      ? `${dom.error.message} (${dom.error.code})`
      : !chains.ok
        ? `${chains.error.message} (${chains.error.code})`
        : String(points);
    main.append(h('p', { class: 'pf-v6-c-alert pf-m-danger', role: 'alert' }, msg));
    return;
  }
  const refresh = () => void renderPoints(main, domainName);
  if (chains.data.length === 0)
    main.append(h('p', {}, 'No chains yet: back the domain up from the overview.'));
  for (const c of [...chains.data].reverse()) {
    const ps = points.filter((p) => p.chainId === c.id).sort((a, b) => a.seq - b.seq);
    main.append(chainView(dom.data, c, ps, refresh));
  }
}

function chainView(d: DomainView, c: ChainView, ps: readonly PointView[], refresh: () => void): HTMLElement {
  const items: HTMLElement[] = [];
  ps.forEach((p, i) => {
    if (i > 0) items.push(h('li', { class: 'vp-arrow', 'aria-hidden': 'true' }, '→'));
    items.push(h('li', { class: 'vp-point-item' }, pointCard(d, c, ps, p, refresh)));
  });
  return h(
    'section',
    { class: 'pf-v6-c-card vp-chain', 'data-chain': c.id, 'aria-label': `chain ${c.id}` },
    h(
      'h2',
      { class: 'pf-v6-c-card__title' },
      `Chain ${c.id} — ${c.state}${c.sealReason ? ` (${c.sealReason})` : ''}, owner ${c.owner}, ` +
        `disks ${c.disks.join(', ')}, ${c.points}/${c.maxLength} points, ${bytes(c.bytes)}`,
    ),
    h('ol', { class: 'vp-chain-points', 'aria-label': `points of chain ${c.id}, full first` }, ...items),
  );
}

function pointCard(
  d: DomainView,
  c: ChainView,
  ps: readonly PointView[],
  p: PointView,
  refresh: () => void,
): HTMLElement {
  const usable = p.state === 'available';
  const label = `${p.name}`;
  const act = (text: string, action: string, f: () => void, enabled = usable) =>
    button(text, f, {
      'data-action': action,
      'aria-label': `${text} ${label}`,
      disabled: !enabled,
      class: 'pf-v6-c-button pf-m-secondary pf-m-small',
    });
  return h(
    'article',
    {
      class: `vp-point vp-state-${p.state}`,
      'data-point': p.id,
      'data-seq': String(p.seq),
      'aria-label': `point ${label}`,
    },
    h('h3', { class: 'vp-point-name' }, `${p.kind === 'full' ? 'Full' : `Incremental ${p.seq}`}: ${p.name}`),
    h(
      'dl',
      { class: 'vp-point-facts' },
      h('dt', {}, 'State'),
      h('dd', { class: 'vp-point-state' }, p.state),
      h('dt', {}, 'Made'),
      h('dd', { title: p.createdAt }, age(p.createdAt)),
      h('dt', {}, 'Size'),
      h('dd', {}, bytes(pointBytes(p))),
      h('dt', {}, 'Consistency'),
      h('dd', {}, `${p.consistency ?? '–'}${p.consistencyReason ? ` (${p.consistencyReason})` : ''}`),
      h('dt', {}, 'Freeze'),
      h('dd', {}, p.freezeMs === null ? '–' : `${p.freezeMs} ms`),
      h('dt', {}, 'Verified'),
      h('dd', {}, p.verify.state + (p.verify.at ? ` ${age(p.verify.at)}` : '')),
      p.error ? h('dt', {}, 'Error') : null,
      p.error ? h('dd', {}, `${p.error.message} (${p.error.code})`) : null,
    ),
    h(
      'div',
      { class: 'vp-point-actions' },
      act('Roll back', 'rollback', () => rollbackDialog(d, c, ps, p, refresh)),
      act('Create volume', 'create-volume', () => volumeDialog(p, refresh)),
      act('Create image', 'create-image', () => imageDialog(p, refresh)),
      act('Verify', 'verify', () => verifyDialog(p, refresh), usable || p.state === 'corrupt'),
      act('Mount', 'mount', () => mountDialog(p)),
      act(
        'Delete',
        'delete',
        () => deleteDialog(c, ps, p, refresh),
        p.state !== 'deleting' && p.state !== 'restoring',
      ),
    ),
  );
}
