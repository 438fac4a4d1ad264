/** The storage chart: bytes per domain over time (inline SVG, no chart library) and the same as a table. */
import type { PointView } from '../../../src/contract/index.js';
import { api } from '../api.js';
import { h, table } from '../dom.js';
import { bytes, time } from '../format.js';
import { stepPaths, storageSeries } from '../storage-series.js';
import { pointBytes } from './points.js';

const COLORS = ['#0066cc', '#3e8635', '#c9190b', '#f0ab00', '#6753ac', '#009596', '#8a8d90', '#ec7a08'];
const SVG = 'http://www.w3.org/2000/svg';

function svg(tag: string, attrs: Record<string, string>, text?: string): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (text !== undefined) el.textContent = text;
  return el;
}

export async function renderStorage(main: HTMLElement): Promise<void> {
  const all: PointView[] = [];
  let after: string | undefined;
  for (;;) {
    const r = await api<PointView[]>('GET', '/v1/points', undefined, { limit: '1000', after });
    if (!r.ok) {
      main.replaceChildren(
        h('h1', {}, 'Storage'),
        h('p', { role: 'alert' }, `${r.error.message} (${r.error.code})`),
      );
      return;
    }
    all.push(...r.data);
    if (r.data.length < 1000) break;
    after = r.data[r.data.length - 1]?.id;
  }
  const series = storageSeries(
    all.map((p) => ({ domainName: p.domainName, createdAt: p.createdAt, bytes: pointBytes(p) })),
  );
  main.replaceChildren(h('h1', { class: 'pf-v6-c-title pf-m-2xl' }, 'Storage'));
  if (series.length === 0) {
    main.append(h('p', {}, 'No points in the store yet.'));
    return;
  }
  const g = { width: 720, height: 300, pad: 48 };
  const paths = stepPaths(series, g, Date.now());
  const chart = svg('svg', {
    viewBox: `0 0 ${g.width} ${g.height}`,
    role: 'img',
    'aria-label': 'Bytes in the store per domain over time',
    class: 'vp-chart',
  });
  const first = paths[0];
  if (first) {
    chart.append(
      svg('line', {
        x1: String(g.pad),
        y1: String(g.height - g.pad),
        x2: String(g.width - g.pad),
        y2: String(g.height - g.pad),
        stroke: '#8a8d90',
      }),
      svg('line', {
        x1: String(g.pad),
        y1: String(g.pad),
        x2: String(g.pad),
        y2: String(g.height - g.pad),
        stroke: '#8a8d90',
      }),
      svg('text', { x: String(g.pad), y: String(g.pad - 8), 'font-size': '12' }, bytes(first.max)),
      svg(
        'text',
        { x: String(g.pad), y: String(g.height - g.pad + 18), 'font-size': '12' },
        time(new Date(first.t0).toISOString()),
      ),
      svg(
        'text',
        {
          x: String(g.width - g.pad),
          y: String(g.height - g.pad + 18),
          'font-size': '12',
          'text-anchor': 'end',
        },
        time(new Date(first.t1).toISOString()),
      ),
    );
  }
  paths.forEach((p, i) =>
    chart.append(
      svg('path', {
        d: p.d,
        fill: 'none',
        stroke: COLORS[i % COLORS.length] ?? '#000',
        'stroke-width': '2',
        'data-domain': series[i]?.domain ?? '',
      }),
    ),
  );
  const legend = h(
    'ul',
    { class: 'vp-legend', 'aria-label': 'Legend' },
    ...series.map((s, i) =>
      h(
        'li',
        {},
        h('span', { class: 'vp-swatch', style: `background:${COLORS[i % COLORS.length]}` }),
        ` ${s.domain}: ${bytes(s.steps[s.steps.length - 1]?.[1] ?? 0)}`,
      ),
    ),
  );
  main.append(
    h(
      'figure',
      { class: 'vp-figure' },
      chart,
      h('figcaption', {}, 'Allocated bytes of the points in the store, by the time each point was made.'),
    ),
    legend,
    table(
      ['Domain', 'Point made', 'Total after it'],
      series.flatMap((s) =>
        s.steps.map(([t, b]) => [
          h('span', {}, s.domain),
          h('span', {}, time(new Date(t).toISOString())),
          h('span', {}, bytes(b)),
        ]),
      ),
      'Store bytes per domain',
    ),
  );
}
