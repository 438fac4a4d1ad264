/** Jobs: filtered by window (24 h / 7 d / 30 d / custom), type and state; delete one or all failed. */
import type { JobView } from '../../../src/contract/index.js';
import { JOB_STATES, JOB_TYPES } from '../../../src/core/job-state.js';
import { api } from '../api.js';
import { button, clearErrors, field, formError, h, input, select, showError, table } from '../dom.js';
import { time } from '../format.js';

// The API's own lists (src/core/job-state.ts), bundled in: a new job type shows up here unasked.
const TYPES = ['', ...JOB_TYPES];
const STATES = ['', ...JOB_STATES];
const FINAL = new Set(['succeeded', 'failed', 'canceled']);

/** Filter state kept in the hash: #/jobs?since=24h&type=backup&state=failed */
function readQuery(q: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(q));
}

function localToIso(v: string): string | undefined {
  return v ? new Date(v).toISOString() : undefined;
}

export async function renderJobs(main: HTMLElement, query: string): Promise<void> {
  const q = readQuery(query);
  const windowSel = select(
    [
      ['24h', 'Last 24 hours'],
      ['7d', 'Last 7 days'],
      ['30d', 'Last 30 days'],
      ['', 'All'],
      ['custom', 'Custom'],
    ],
    { name: 'window' },
  );
  windowSel.value = q['window'] ?? '24h';
  const since = input({ type: 'datetime-local', name: 'since', value: q['since'] ?? '' });
  const until = input({ type: 'datetime-local', name: 'until', value: q['until'] ?? '' });
  const type = select(
    TYPES.map((t): [string, string] => [t, t || 'any type']),
    { name: 'type' },
  );
  type.value = q['type'] ?? '';
  const state = select(
    STATES.map((s): [string, string] => [s, s || 'any state']),
    { name: 'state' },
  );
  state.value = q['state'] ?? '';
  const custom = h(
    'div',
    { class: 'vp-custom-window' },
    field('From', since, 'since'),
    field('Until', until, 'until'),
  );
  custom.hidden = windowSel.value !== 'custom';
  const err = formError();
  const apply = () => {
    const p = new URLSearchParams();
    p.set('window', windowSel.value);
    if (windowSel.value === 'custom') {
      if (since.value) p.set('since', since.value);
      if (until.value) p.set('until', until.value);
    }
    if (type.value) p.set('type', type.value);
    if (state.value) p.set('state', state.value);
    location.hash = `#/jobs?${p.toString()}`;
  };
  windowSel.addEventListener('change', () => {
    custom.hidden = windowSel.value !== 'custom';
    if (windowSel.value !== 'custom') apply();
  });
  type.addEventListener('change', apply);
  state.addEventListener('change', apply);
  const filters = h(
    'form',
    {
      class: 'pf-v6-c-form pf-m-horizontal vp-filters',
      'aria-label': 'Job filters',
      onsubmit: (e: Event) => (e.preventDefault(), apply()),
    },
    field('Window', windowSel, 'window'),
    custom,
    field('Type', type, 'type'),
    field('State', state, 'state'),
    h(
      'button',
      { type: 'submit', class: 'pf-v6-c-button pf-m-secondary', 'data-action': 'apply-filter' },
      'Apply',
    ),
    err,
  );
  const deleteFailed = button('Delete all failed jobs', () => void delFailed(), {
    'data-action': 'delete-failed',
    class: 'pf-v6-c-button pf-m-danger',
  });
  main.replaceChildren(
    h('h1', { class: 'pf-v6-c-title pf-m-2xl' }, 'Jobs'),
    filters,
    h('p', {}, deleteFailed),
  );

  const w = windowSel.value;
  const r = await api<JobView[]>('GET', '/v1/jobs', undefined, {
    since: w === 'custom' ? localToIso(since.value) : w || undefined,
    until: w === 'custom' ? localToIso(until.value) : undefined,
    type: type.value || undefined,
    state: state.value || undefined,
    limit: '1000',
  });
  if (!r.ok) {
    showError(filters, r.error);
    return;
  }
  const rerender = () => void renderJobs(main, query);
  const rows = r.data.map((j) => [
    h('code', {}, j.id),
    h('span', {}, j.type),
    h('span', { class: `vp-job-state vp-state-${j.state}` }, j.state),
    h('span', {}, j.domainName ?? '–'),
    h('span', {}, time(j.createdAt)),
    h('span', {}, time(j.endedAt)),
    h('span', {}, j.progress.total ? `${Math.floor((j.progress.done / j.progress.total) * 100)}%` : '–'),
    h('span', { class: 'vp-job-error' }, j.error ? `${j.error.message} (${j.error.code})` : ''),
    FINAL.has(j.state)
      ? button('Delete', () => void delOne(j.id), {
          'data-action': 'delete-job',
          'aria-label': `Delete job ${j.id}`,
          class: 'pf-v6-c-button pf-m-secondary pf-m-small',
        })
      : h('span', {}, ''),
  ]);
  main.append(
    r.data.length === 0
      ? h('p', { class: 'vp-empty' }, 'No jobs in this window.')
      : table(
          ['Job', 'Type', 'State', 'Domain', 'Created', 'Ended', 'Progress', 'Reason', 'Actions'],
          rows,
          'Jobs',
        ),
  );

  async function delOne(id: string): Promise<void> {
    clearErrors(filters);
    const d = await api('DELETE', `/v1/jobs/${id}`);
    if (!d.ok) showError(filters, d.error);
    else rerender();
  }
  async function delFailed(): Promise<void> {
    clearErrors(filters);
    const d = await api<{ deleted: number }>('DELETE', '/v1/jobs', undefined, { state: 'failed' });
    if (!d.ok) showError(filters, d.error);
    else rerender();
  }
}
