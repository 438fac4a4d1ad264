/** Create or edit a task; the API checks every field and its message lands by the field. */
import type { TaskView } from '../../../src/contract/index.js';
import { api } from '../api.js';
import { checkbox, clearErrors, field, formError, h, input, showError } from '../dom.js';
import { list } from '../format.js';

export function taskForm(t: TaskView | null, done: () => void): HTMLElement {
  const name = input({ name: 'name', value: t?.name ?? '' });
  const policies = input({ name: 'policies', value: t?.policies.join(', ') ?? '', disabled: t !== null });
  const domains = input({
    name: 'domains',
    value:
      t?.resources
        .filter((r) => !r.disks)
        .map((r) => r.domainName)
        .join(', ') ?? '',
  });
  const disks = input({
    name: 'disks',
    value: t?.resources.flatMap((r) => (r.disks ?? []).map((d) => `${r.domainName}:${d}`)).join(', ') ?? '',
    placeholder: 'db:vdb',
  });
  const chainLength = input({
    type: 'number',
    name: 'chainLength',
    min: '1',
    max: '30',
    value: String(t?.chainLength ?? 30),
  });
  const retention = input({
    name: 'retention',
    value: t?.retention ?? 'forever',
    placeholder: 'forever | chains:N | count:N | days:N',
  });
  const receivers = input({
    name: 'receivers',
    value: t?.receivers.join(', ') ?? '',
    placeholder: 'journal, webhook:https://…',
  });
  const enabled = checkbox('Enabled', { checked: t?.enabled ?? true });
  const verifyAfter = checkbox('Verify each new point after its backup', {
    checked: t?.verifyAfter ?? false,
  });
  const warn = h('div', { class: 'vp-warnings', role: 'status' });
  const form: HTMLFormElement = h(
    'form',
    {
      class: 'pf-v6-c-form vp-task-form',
      'aria-label': t ? `Edit task ${t.name}` : 'New task',
      onsubmit: (e: Event) => {
        e.preventDefault();
        void save();
      },
    },
    h('h3', {}, t ? `Edit task ${t.name}` : 'New task'),
    field('Task name', name, 'name'),
    field(
      'Policies (comma separated)',
      policies,
      'policies',
      t ? 'a task keeps its policies: create a new task for others' : undefined,
    ),
    field('Domains (names or UUIDs)', domains, 'domains'),
    field('Chosen disks (DOMAIN:TARGET)', disks, 'disks'),
    field('Chain length', chainLength, 'chainLength'),
    field('Retention', retention, 'retention'),
    field('Notification receivers', receivers, 'receivers'),
    h('div', { class: 'vp-field', 'data-field': 'enabled' }, enabled.el),
    h('div', { class: 'vp-field', 'data-field': 'verifyAfter' }, verifyAfter.el),
    formError(),
    warn,
    h(
      'button',
      {
        type: 'submit',
        class: 'pf-v6-c-button pf-m-primary',
        'data-action': t ? 'save-task' : 'create-task',
      },
      t ? 'Save task' : 'Create task',
    ),
  );
  async function save(): Promise<void> {
    clearErrors(form);
    warn.textContent = '';
    const body: Record<string, unknown> = {
      chainLength: Number(chainLength.value),
      retention: retention.value,
      receivers: list(receivers.value),
      enabled: enabled.box.checked,
      verifyAfter: verifyAfter.box.checked,
    };
    const doms = list(domains.value);
    const dks = list(disks.value);
    if (!t || doms.length || dks.length) {
      if (doms.length || !dks.length) body['domains'] = doms;
      if (dks.length) body['disks'] = dks;
    }
    if (!t) body['policies'] = list(policies.value);
    if (!t || name.value !== t.name) body['name'] = name.value;
    const r = t
      ? await api<TaskView>('PATCH', `/v1/tasks/${encodeURIComponent(t.name)}`, body)
      : await api<TaskView>('POST', '/v1/tasks', body);
    if (!r.ok) showError(form, r.error);
    else if (r.data.warnings?.length) {
      warn.textContent = r.data.warnings.join('; ');
      setTimeout(done, 3000);
    } else done();
  }
  return form;
}
