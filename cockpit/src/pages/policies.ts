/** Policies (schedules) and tasks: create, edit, enable, disable, delete, run now; task history. */
import type { PolicyView, TaskRunView, TaskView } from '../../../src/contract/index.js';
import { api, type ApiResult } from '../api.js';
import {
  button,
  checkbox,
  clearErrors,
  field,
  formError,
  h,
  input,
  select,
  showError,
  table,
} from '../dom.js';
import { list, time } from '../format.js';
import { taskForm } from './task-form.js';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

function schedText(p: PolicyView): string {
  const s = p.schedule;
  return s.kind === 'weekly'
    ? `weekly ${s.days.join(',')} at ${s.times.join(', ')}`
    : `every ${s.n} day(s) at ${s.times.join(', ')}`;
}

export async function renderPolicies(main: HTMLElement): Promise<void> {
  const [pols, tasks] = await Promise.all([
    api<PolicyView[]>('GET', '/v1/policies'),
    api<TaskView[]>('GET', '/v1/tasks'),
  ]);
  const rerender = () => void renderPolicies(main);
  const status = h('div', { class: 'vp-page-status', role: 'status' });
  main.replaceChildren(h('h1', { class: 'pf-v6-c-title pf-m-2xl' }, 'Policies and tasks'), status);
  const report = (r: ApiResult<unknown>, what: string) => {
    status.textContent = r.ok ? what : `${r.error.message} (${r.error.code})`;
    status.className = r.ok
      ? 'vp-page-status pf-v6-c-alert pf-m-success pf-m-inline'
      : 'vp-page-status pf-v6-c-alert pf-m-danger pf-m-inline';
    if (r.ok) rerender();
  };
  const act = (
    label: string,
    action: string,
    target: string,
    f: () => Promise<ApiResult<unknown>>,
    done: string,
  ) =>
    button(label, () => void f().then((r) => report(r, done)), {
      'data-action': action,
      'aria-label': `${label} ${target}`,
      class: 'pf-v6-c-button pf-m-secondary pf-m-small',
    });

  main.append(h('h2', { class: 'pf-v6-c-title pf-m-xl' }, 'Policies'));
  if (!pols.ok) main.append(h('p', { role: 'alert' }, `${pols.error.message} (${pols.error.code})`));
  else {
    const editSlot = h('div', { class: 'vp-edit-slot' });
    main.append(
      pols.data.length === 0
        ? h('p', {}, 'No policies yet.')
        : table(
            ['Policy', 'Schedule', 'Enabled', 'Tasks', 'Next run', 'Actions'],
            pols.data.map((p) => {
              const path = `/v1/policies/${encodeURIComponent(p.name)}`;
              return [
                h('span', {}, p.name),
                h('span', {}, schedText(p)),
                h('span', {}, p.enabled ? 'yes' : 'no'),
                h('span', {}, p.tasks.join(', ') || '–'),
                h('span', {}, time(p.nextRun)),
                h(
                  'span',
                  { class: 'vp-row-actions' },
                  button('Edit', () => editSlot.replaceChildren(policyForm(p, rerender)), {
                    'data-action': 'edit-policy',
                    'aria-label': `Edit ${p.name}`,
                    class: 'pf-v6-c-button pf-m-secondary pf-m-small',
                  }),
                  p.enabled
                    ? act(
                        'Disable',
                        'disable-policy',
                        p.name,
                        () => api('POST', `${path}/disable`),
                        `${p.name} disabled`,
                      )
                    : act(
                        'Enable',
                        'enable-policy',
                        p.name,
                        () => api('POST', `${path}/enable`),
                        `${p.name} enabled`,
                      ),
                  act(
                    'Run now',
                    'run-policy',
                    p.name,
                    () => api('POST', `${path}/run`),
                    `${p.name}: its tasks run now`,
                  ),
                  act('Delete', 'delete-policy', p.name, () => api('DELETE', path), `${p.name} deleted`),
                ),
              ];
            }),
            'Policies',
          ),
      editSlot,
      policyForm(null, rerender),
    );
  }

  main.append(h('h2', { class: 'pf-v6-c-title pf-m-xl' }, 'Tasks'));
  if (!tasks.ok) {
    main.append(h('p', { role: 'alert' }, `${tasks.error.message} (${tasks.error.code})`));
    return;
  }
  const taskSlot = h('div', { class: 'vp-edit-slot' });
  const historySlot = h('div', { class: 'vp-history-slot', 'aria-live': 'polite' });
  main.append(
    tasks.data.length === 0
      ? h('p', {}, 'No tasks yet.')
      : table(
          ['Task', 'Resources', 'Policies', 'Retention', 'Enabled', 'Runs', 'Last run', 'Actions'],
          tasks.data.map((t) => {
            const path = `/v1/tasks/${encodeURIComponent(t.name)}`;
            return [
              h('span', {}, t.name),
              h(
                'span',
                {},
                t.resources
                  .map((r) => (r.disks ? `${r.domainName}:${r.disks.join('+')}` : r.domainName))
                  .join(', '),
              ),
              h('span', {}, t.policies.join(', ')),
              h('span', {}, t.retention),
              h('span', {}, t.enabled ? 'yes' : 'no'),
              h('span', {}, String(t.runCount)),
              h('span', {}, t.lastRun ? `${t.lastRun.outcome}, ${time(t.lastRun.startedAt)}` : '–'),
              h(
                'span',
                { class: 'vp-row-actions' },
                button('Edit', () => taskSlot.replaceChildren(taskForm(t, rerender)), {
                  'data-action': 'edit-task',
                  'aria-label': `Edit task ${t.name}`,
                  class: 'pf-v6-c-button pf-m-secondary pf-m-small',
                }),
                t.enabled
                  ? act(
                      'Disable',
                      'disable-task',
                      `task ${t.name}`,
                      () => api('POST', `${path}/disable`),
                      `task ${t.name} disabled`,
                    )
                  : act(
                      'Enable',
                      'enable-task',
                      `task ${t.name}`,
                      () => api('POST', `${path}/enable`),
                      `task ${t.name} enabled`,
                    ),
                act(
                  'Run now',
                  'run-task',
                  `task ${t.name}`,
                  () => api('POST', `${path}/run`),
                  `task ${t.name} runs now`,
                ),
                button('History', () => void showHistory(t.name, historySlot), {
                  'data-action': 'task-history',
                  'aria-label': `History of task ${t.name}`,
                  class: 'pf-v6-c-button pf-m-secondary pf-m-small',
                }),
                act(
                  'Delete',
                  'delete-task',
                  `task ${t.name}`,
                  () => api('DELETE', path),
                  `task ${t.name} deleted (its points are kept)`,
                ),
              ),
            ];
          }),
          'Tasks',
        ),
    historySlot,
    taskSlot,
    taskForm(null, rerender),
  );
}

async function showHistory(task: string, slot: HTMLElement): Promise<void> {
  const r = await api<TaskRunView[]>('GET', `/v1/tasks/${encodeURIComponent(task)}/history`, undefined, {
    limit: '20',
  });
  if (!r.ok) {
    slot.replaceChildren(h('p', { role: 'alert' }, `${r.error.message} (${r.error.code})`));
    return;
  }
  slot.replaceChildren(
    h('h3', {}, `Runs of ${task}`),
    r.data.length === 0
      ? h('p', {}, 'No runs yet.')
      : table(
          ['Started', 'Trigger', 'Policy', 'Outcome', 'Resources', 'Warnings'],
          r.data.map((x) => [
            h('span', {}, time(x.startedAt)),
            h('span', {}, x.trigger),
            h('span', {}, x.policy ?? '–'),
            h('span', {}, x.outcome),
            h(
              'span',
              {},
              x.resources
                .map(
                  (res) => `${res.domainName}: ${res.outcome}${res.pointName ? ` (${res.pointName})` : ''}`,
                )
                .join('; '),
            ),
            h('span', {}, x.warnings.join('; ')),
          ]),
          `Runs of ${task}`,
        ),
  );
}

/** Create (p null) or edit a policy. Every check is the API's; its message lands by the field. */
function policyForm(p: PolicyView | null, done: () => void): HTMLElement {
  const name = input({ name: 'name', value: p?.name ?? '' });
  const kind = select(
    [
      ['weekly', 'weekly (days of the week)'],
      ['every-days', 'every N days'],
    ],
    { name: 'kind' },
  );
  kind.value = p?.schedule.kind ?? 'weekly';
  const days = DAYS.map((d) =>
    checkbox(d, { value: d, checked: p?.schedule.kind === 'weekly' ? p.schedule.days.includes(d) : false }),
  );
  const n = input({
    type: 'number',
    name: 'n',
    min: '1',
    max: '30',
    value: p?.schedule.kind === 'every-days' ? String(p.schedule.n) : '1',
  });
  const times = input({
    name: 'times',
    value: p?.schedule.times.join(', ') ?? '',
    placeholder: '02:00, 14:00',
  });
  const enabled = checkbox('Enabled', { checked: p?.enabled ?? true });
  const daysBox = h(
    'fieldset',
    { class: 'pf-v6-c-form__group vp-field', 'data-field': 'schedule.days' },
    h('legend', { class: 'pf-v6-c-form__label' }, 'Days'),
    ...days.map((d) => d.el),
    h('div', { class: 'pf-v6-c-helper-text__item pf-m-error vp-field-error', role: 'alert' }),
  );
  const nBox = field('Every N days', n, 'schedule.n');
  const sync = () => {
    daysBox.hidden = kind.value !== 'weekly';
    nBox.hidden = kind.value === 'weekly';
  };
  kind.addEventListener('change', sync);
  sync();
  const form: HTMLFormElement = h(
    'form',
    {
      class: 'pf-v6-c-form vp-policy-form',
      'aria-label': p ? `Edit policy ${p.name}` : 'New policy',
      onsubmit: (e: Event) => {
        e.preventDefault();
        void save();
      },
    },
    h('h3', {}, p ? `Edit policy ${p.name}` : 'New policy'),
    field('Policy name', name, 'name'),
    field('Schedule', kind, 'schedule.kind'),
    daysBox,
    nBox,
    field(
      'Times of day (HH:MM, comma separated)',
      times,
      'schedule.times',
      'host local time; any two at least 1 hour apart',
    ),
    h('div', { class: 'vp-field', 'data-field': 'enabled' }, enabled.el),
    formError(),
    h(
      'button',
      {
        type: 'submit',
        class: 'pf-v6-c-button pf-m-primary',
        'data-action': p ? 'save-policy' : 'create-policy',
      },
      p ? 'Save policy' : 'Create policy',
    ),
  );
  async function save(): Promise<void> {
    clearErrors(form);
    const schedule =
      kind.value === 'weekly'
        ? {
            kind: 'weekly',
            days: days.filter((d) => d.box.checked).map((d) => d.box.value),
            times: list(times.value),
          }
        : { kind: 'every-days', n: Number(n.value), times: list(times.value) };
    const body: Record<string, unknown> = { schedule, enabled: enabled.box.checked };
    if (!p || name.value !== p.name) body['name'] = name.value;
    const r = p
      ? await api('PATCH', `/v1/policies/${encodeURIComponent(p.name)}`, body)
      : await api('POST', '/v1/policies', body);
    if (!r.ok) showError(form, r.error);
    else done();
  }
  return form;
}
