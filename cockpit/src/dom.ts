/** Small DOM helpers: elements, labelled fields, dialogs, and the API's errors next to fields. */
import type { ApiError } from './api.js';

type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | boolean | number | ((ev: Event) => void) | undefined>;

/** `h('button', {class: 'x', onclick: f}, 'text')`. `false`/`undefined` attributes are left out. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

export function button(label: string, onclick: () => void, attrs: Attrs = {}): HTMLButtonElement {
  return h('button', { type: 'button', class: 'pf-v6-c-button pf-m-secondary', ...attrs, onclick }, label);
}

let fieldSeq = 0;

/**
 * A labelled form field: `<label for>` + the control + a help line where the API's message for
 * this field appears (`aria-describedby`). `field` is the API's field name (`schedule.times`).
 */
export function field(
  label: string,
  control: HTMLInputElement | HTMLSelectElement,
  fieldName: string,
  hint?: string,
): HTMLDivElement {
  const id = control.id || `vp-f${++fieldSeq}`;
  control.id = id;
  control.classList.add('vp-control');
  const err = h('div', {
    class: 'pf-v6-c-helper-text__item pf-m-error vp-field-error',
    id: `${id}-err`,
    role: 'alert',
  });
  control.setAttribute('aria-describedby', `${id}-err`);
  return h(
    'div',
    { class: 'pf-v6-c-form__group vp-field', 'data-field': fieldName },
    h('label', { class: 'pf-v6-c-form__label', for: id }, label),
    control,
    hint ? h('div', { class: 'pf-v6-c-helper-text vp-hint' }, hint) : null,
    err,
  );
}

export function input(attrs: Attrs = {}): HTMLInputElement {
  return h('input', { class: 'pf-v6-c-form-control', type: 'text', ...attrs });
}

export function select(
  options: readonly (string | [string, string])[],
  attrs: Attrs = {},
): HTMLSelectElement {
  return h(
    'select',
    { class: 'pf-v6-c-form-control', ...attrs },
    ...options.map((o) =>
      typeof o === 'string' ? h('option', { value: o }, o) : h('option', { value: o[0] }, o[1]),
    ),
  );
}

export function checkbox(label: string, attrs: Attrs = {}): { box: HTMLInputElement; el: HTMLLabelElement } {
  const box = h('input', { type: 'checkbox', ...attrs });
  return { box, el: h('label', { class: 'vp-check' }, box, ' ', label) };
}

/**
 * Shows the API's error: next to the field its message names (`field: …` or `field …`), else
 * in the form's alert. Returns the element that shows it.
 */
export function showError(form: HTMLElement, e: ApiError): HTMLElement {
  clearErrors(form);
  const text = `${e.message} (${e.code})`;
  const groups = [...form.querySelectorAll<HTMLElement>('[data-field]')];
  // The longest field name the message starts with wins (schedule.times before schedule).
  const hit = groups
    .filter((g) => {
      const f = g.dataset['field'] ?? '';
      return (
        f !== '' &&
        (e.message.startsWith(f + ':') || e.message.startsWith(f + ' ') || e.message.startsWith(f + '['))
      );
    })
    .sort((a, b) => (b.dataset['field'] ?? '').length - (a.dataset['field'] ?? '').length)[0];
  const slot =
    hit?.querySelector<HTMLElement>('.vp-field-error') ?? form.querySelector<HTMLElement>('.vp-form-error');
  const target = slot ?? form;
  target.textContent = text;
  target.hidden = false;
  hit?.querySelector('.vp-control')?.setAttribute('aria-invalid', 'true');
  return target;
}

export function clearErrors(form: HTMLElement): void {
  for (const e of form.querySelectorAll<HTMLElement>('.vp-field-error, .vp-form-error')) e.textContent = '';
  for (const c of form.querySelectorAll('[aria-invalid]')) c.removeAttribute('aria-invalid');
}

export function formError(): HTMLDivElement {
  return h('div', { class: 'pf-v6-c-alert pf-m-danger pf-m-inline vp-form-error', role: 'alert' });
}

/** A modal `<dialog>` (focus stays inside; Escape closes it). Removed from the page on close. */
export function dialog(title: string, ...body: Child[]): HTMLDialogElement {
  const d = h(
    'dialog',
    { class: 'pf-v6-c-modal-box vp-dialog', 'aria-label': title },
    h('h2', { class: 'pf-v6-c-modal-box__title' }, title),
    h('div', { class: 'pf-v6-c-modal-box__body' }, ...body),
  );
  d.addEventListener('close', () => d.remove());
  document.body.append(d);
  d.showModal();
  return d;
}

export function actions(...buttons: HTMLButtonElement[]): HTMLDivElement {
  return h('div', { class: 'pf-v6-c-modal-box__footer vp-actions' }, ...buttons);
}

export function table(
  headers: readonly string[],
  rows: readonly Node[][],
  caption: string,
): HTMLTableElement {
  return h(
    'table',
    { class: 'pf-v6-c-table pf-m-compact vp-table', 'aria-label': caption },
    h('thead', {}, h('tr', {}, ...headers.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c) => h('td', {}, c))))),
  );
}

export function text(s: string): Text {
  return document.createTextNode(s);
}

/** A progress bar with its value as text (for screen readers too). */
export function progressBar(label: string): {
  el: HTMLElement;
  set(done: number, total: number | null, state: string): void;
} {
  const bar = h('progress', { max: '100', value: '0', 'aria-label': label });
  const caption = h('span', { class: 'vp-progress-text' }, 'queued');
  return {
    el: h('div', { class: 'vp-progress' }, bar, ' ', caption),
    set(done, total, state) {
      const pct = total ? Math.min(100, Math.floor((done / total) * 100)) : state === 'succeeded' ? 100 : 0;
      bar.value = pct;
      caption.textContent = `${state} ${pct}%`;
    },
  };
}
