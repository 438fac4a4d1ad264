/**
 * Overview: per domain its state, agent, chains, points, size, last point (age, consistency,
 * verified), the next scheduled run of a task backing it up; "Back up now" per domain.
 */
import type { DomainView, JobView, PointView, PolicyView, TaskView } from '../../../src/contract/index.js';
import { api } from '../api.js';
import {
  actions,
  button,
  checkbox,
  clearErrors,
  dialog,
  field,
  formError,
  h,
  input,
  showError,
  table,
} from '../dom.js';
import { age, bytes, time } from '../format.js';
import { showJobProgress } from '../job-progress.js';

/** The soonest nextRun of the enabled tasks' policies that back up `uuid`. */
function nextRun(uuid: string, tasks: readonly TaskView[], policies: readonly PolicyView[]): string | null {
  const runs = tasks
    .filter((t) => t.enabled && t.resources.some((r) => r.domain === uuid))
    .flatMap((t) => t.policies.map((p) => policies.find((x) => x.name === p)?.nextRun ?? null))
    .filter((x): x is string => x !== null)
    .sort();
  return runs[0] ?? null;
}

export async function renderOverview(main: HTMLElement): Promise<void> {
  const [domains, tasks, policies] = await Promise.all([
    api<DomainView[]>('GET', '/v1/domains'),
    api<TaskView[]>('GET', '/v1/tasks'),
    api<PolicyView[]>('GET', '/v1/policies'),
  ]);
  main.replaceChildren(h('h1', { class: 'pf-v6-c-title pf-m-2xl' }, 'Overview'));
  if (!domains.ok) {
    main.append(
      h(
        'p',
        { class: 'pf-v6-c-alert pf-m-danger', role: 'alert' },
        `${domains.error.message} (${domains.error.code})`,
      ),
    );
    return;
  }
  const ts = tasks.ok ? tasks.data : [];
  const ps = policies.ok ? policies.data : [];
  const last = await Promise.all(
    domains.data.map((d) =>
      d.lastPoint ? api<PointView>('GET', `/v1/points/${d.lastPoint.id}`) : Promise.resolve(null),
    ),
  );
  const rows = domains.data.map((d, i) => {
    const lp = last[i];
    const p = lp && lp.ok ? lp.data : null;
    const lastText = d.lastPoint
      ? `${d.lastPoint.name}, ${age(d.lastPoint.createdAt)}, ${d.lastPoint.state}` +
        (p ? `, ${p.consistency ?? 'consistency unknown'}, verified: ${p.verify.state}` : '')
      : 'none';
    return [
      h('a', { href: `#/points/${encodeURIComponent(d.name)}`, class: 'vp-domain-link' }, d.name),
      h('span', {}, d.state),
      h('span', {}, d.hasAgentChannel ? 'agent channel' : 'no agent'),
      h('span', {}, String(d.chains)),
      h('span', {}, String(d.points)),
      h('span', {}, bytes(d.bytes)),
      h('span', { class: 'vp-last-point' }, lastText),
      h('span', {}, time(nextRun(d.uuid, ts, ps))),
      button('Back up now', () => backupDialog(d, main), {
        class: 'pf-v6-c-button pf-m-primary',
        'data-action': 'backup',
        'aria-label': `Back up ${d.name} now`,
      }),
    ];
  });
  main.append(
    domains.data.length === 0
      ? h('p', {}, 'No libvirt domains on this host.')
      : table(
          ['Domain', 'State', 'Agent', 'Chains', 'Points', 'Size', 'Last point', 'Next run', 'Actions'],
          rows,
          'Domains',
        ),
  );
}

function backupDialog(d: DomainView, main: HTMLElement): void {
  const name = input({ name: 'name', placeholder: 'manualbk_<id>' });
  const disks = d.disks
    .filter((x) => x.device === 'disk')
    .map((x) => checkbox(x.target, { value: x.target, checked: true }));
  const full = checkbox('Full (start a new chain)', { name: 'full' });
  const err = formError();
  const progress = h('div', { class: 'vp-dialog-progress' });
  const form = h(
    'form',
    { class: 'pf-v6-c-form', method: 'dialog' },
    field('Point name (optional)', name, 'name', 'letters, digits, _ and -; at most 255 characters'),
    h(
      'fieldset',
      { class: 'pf-v6-c-form__group vp-field', 'data-field': 'disks' },
      h('legend', { class: 'pf-v6-c-form__label' }, 'Disks'),
      ...disks.map((x) => x.el),
      h('div', { class: 'pf-v6-c-helper-text__item pf-m-error vp-field-error', role: 'alert' }),
    ),
    h('div', { class: 'vp-field', 'data-field': 'full' }, full.el),
    err,
    progress,
  );
  const start = button('Start backup', () => void run(), {
    class: 'pf-v6-c-button pf-m-primary',
    'data-action': 'start-backup',
  });
  const close = button('Close', () => dlg.close(), { 'data-action': 'close' });
  const dlg = dialog(`Back up ${d.name}`, form, actions(start, close));
  name.focus();

  async function run(): Promise<void> {
    clearErrors(form);
    const chosen = disks.filter((x) => x.box.checked).map((x) => x.box.value);
    const body: Record<string, unknown> = { domain: d.uuid };
    if (name.value !== '') body['name'] = name.value;
    if (chosen.length !== disks.length) body['disks'] = chosen;
    if (full.box.checked) body['full'] = true;
    start.disabled = true;
    const r = await api<JobView>('POST', '/v1/backups', body);
    if (!r.ok) {
      showError(form, r.error);
      start.disabled = false;
      return;
    }
    const job = await showJobProgress(progress, r.data);
    if (job.state === 'succeeded' && job.pointId) {
      const p = await api<PointView>('GET', `/v1/points/${job.pointId}`);
      if (p.ok) {
        progress.append(
          h(
            'p',
            { class: 'vp-new-point', 'data-point': p.data.id },
            `New point ${p.data.name} (${p.data.id}): ${p.data.kind}, ${p.data.state}, ${p.data.consistency ?? '–'}, ` +
              `${bytes(p.data.disks.reduce((s, x) => s + (x.size ?? 0), 0))}`,
          ),
        );
      }
    }
    start.disabled = false;
    close.focus();
    dlg.addEventListener('close', () => void renderOverview(main), { once: true });
  }
}
