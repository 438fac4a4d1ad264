/**
 * The dialogs of a point's actions. Each sends one API request; a refusal is the API's message
 * next to the field it names; an accepted job shows its live progress.
 */
import type { ChainView, DomainView, JobView, PointView } from '../../../src/contract/index.js';
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
  select,
  showError,
} from '../dom.js';
import { time } from '../format.js';
import { showJobProgress } from '../job-progress.js';

/**
 * A dialog with `fields`, a confirm button and Close. `send` returns the request; a 202 job is
 * followed; `done` runs when the dialog closes after anything was accepted.
 */
function actionDialog(opts: {
  title: string;
  intro: Node[];
  fields: HTMLElement[];
  confirm: string;
  danger?: boolean;
  send: () => Promise<{ ok: true; data: unknown } | { ok: false; error: { code: string; message: string } }>;
  shown?: (data: unknown) => string;
  done: () => void;
}): HTMLDialogElement {
  const err = formError();
  const progress = h('div', { class: 'vp-dialog-progress' });
  const form = h(
    'form',
    { class: 'pf-v6-c-form', method: 'dialog' },
    ...opts.intro,
    ...opts.fields,
    err,
    progress,
  );
  let accepted = false;
  const ok = button(opts.confirm, () => void go(), {
    class: `pf-v6-c-button ${opts.danger ? 'pf-m-danger' : 'pf-m-primary'}`,
    'data-action': 'confirm',
  });
  const close = button('Close', () => dlg.close(), { 'data-action': 'close' });
  const dlg = dialog(opts.title, form, actions(ok, close));
  dlg.addEventListener('close', () => accepted && opts.done());
  (form.querySelector<HTMLElement>('input, select') ?? ok).focus();

  async function go(): Promise<void> {
    clearErrors(form);
    ok.disabled = true;
    const r = await opts.send();
    if (!r.ok) {
      showError(form, r.error);
      ok.disabled = false;
      return;
    }
    accepted = true;
    const data = r.data as Partial<JobView> | null;
    if (data && typeof data.id === 'string' && data.progress) {
      const job = await showJobProgress(progress, data as JobView);
      if (job.state === 'succeeded')
        progress.append(
          h('p', { class: 'vp-done' }, opts.shown ? opts.shown(job.result) : `${job.type} succeeded`),
        );
    } else {
      progress.append(h('p', { class: 'vp-done' }, opts.shown ? opts.shown(r.data) : 'done'));
    }
    close.focus();
  }
  return dlg;
}

export function rollbackDialog(
  d: DomainView,
  c: ChainView,
  ps: readonly PointView[],
  p: PointView,
  done: () => void,
): void {
  const domDisks = d.disks.filter((x) => x.device === 'disk').map((x) => x.target);
  const maps = p.disks.map((pd) => {
    const sel = select([['', 'do not restore'], ...domDisks.map((t): [string, string] => [t, t])], {
      name: `map-${pd.target}`,
    });
    sel.value = domDisks.includes(pd.target) ? pd.target : '';
    return { source: pd.target, sel, el: field(`Point disk ${pd.target} onto`, sel, 'map') };
  });
  const start = checkbox('Start the domain afterwards', { checked: d.state === 'running' });
  const force = checkbox('Force off if it does not shut down in time', {});
  const timeout = input({ type: 'number', min: '0', max: '3600', value: '120', name: 'shutdownTimeout' });
  const later = ps.filter((x) => x.seq > p.seq);
  const intro = [
    h(
      'p',
      { class: 'vp-lost' },
      `What will be lost: everything written to the chosen disks of ${d.name} since ${time(p.createdAt)} ` +
        `(point ${p.name}). ${d.name} is shut down first. The domain's checkpoints are dropped and chain ${c.id} is sealed: ` +
        (later.length
          ? `its ${later.length} later point(s) (${later.map((x) => x.name).join(', ')}) stay restorable but the chain is never continued; `
          : '') +
        'the next backup starts a new full chain.',
    ),
  ];
  actionDialog({
    title: `Roll back ${d.name} to ${p.name}`,
    intro,
    fields: [
      ...maps.map((m) => m.el),
      h('div', { class: 'vp-field', 'data-field': 'start' }, start.el),
      h('div', { class: 'vp-field', 'data-field': 'force' }, force.el),
      field('Shutdown timeout (seconds)', timeout, 'shutdownTimeout'),
    ],
    confirm: 'Roll back',
    danger: true,
    send: () => {
      const chosen = maps.filter((m) => m.sel.value !== '');
      const body: Record<string, unknown> = {
        point: p.id,
        disks: chosen.map((m) => m.source),
        start: start.box.checked,
        force: force.box.checked,
      };
      const moved = chosen.filter((m) => m.sel.value !== m.source);
      if (moved.length) body['map'] = Object.fromEntries(moved.map((m) => [m.source, m.sel.value]));
      if (timeout.value !== '') body['shutdownTimeout'] = Number(timeout.value);
      return api('POST', `/v1/domains/${encodeURIComponent(d.uuid)}/rollback`, body);
    },
    shown: (r) => {
      const x = r as { disks?: { source: string; target: string }[]; started?: boolean } | null;
      return `Rolled back: ${(x?.disks ?? []).map((m) => `${m.source}→${m.target}`).join(', ')}${x?.started ? '; the domain was started' : ''}`;
    },
    done,
  });
}

function diskSelect(p: PointView): HTMLSelectElement {
  return select(
    p.disks.map((x) => x.target),
    { name: 'disk' },
  );
}

export function volumeDialog(p: PointView, done: () => void): void {
  const disk = diskSelect(p);
  const name = input({ name: 'name' });
  const pool = input({ name: 'pool' });
  const dir = input({ name: 'dir', placeholder: '/srv/volumes' });
  const format = select(['qcow2', 'raw'], { name: 'format' });
  actionDialog({
    title: `Create a volume from ${p.name}`,
    intro: [
      h(
        'p',
        {},
        'Flattens one disk of the point into a new volume, independent of the chain. Give a libvirt pool or an allowed directory.',
      ),
    ],
    fields: [
      field('Disk', disk, 'disk'),
      field('Volume name', name, 'name'),
      field('Storage pool', pool, 'pool'),
      field('or directory', dir, 'dir', 'one of the allowed_volume_dirs of the daemon'),
      field('Format', format, 'format'),
    ],
    confirm: 'Create volume',
    send: () =>
      api('POST', '/v1/volumes', {
        point: p.id,
        disk: disk.value,
        name: name.value,
        ...(pool.value ? { pool: pool.value } : {}),
        ...(dir.value ? { dir: dir.value } : {}),
        format: format.value,
      }),
    shown: (r) => `Volume ${(r as { path?: string } | null)?.path ?? ''} created`,
    done,
  });
}

export function imageDialog(p: PointView, done: () => void): void {
  const disk = diskSelect(p);
  const name = input({ name: 'name' });
  const linked = checkbox('Linked (a thin overlay on the point; protects it until the image is deleted)', {});
  actionDialog({
    title: `Create an image from ${p.name}`,
    intro: [h('p', {}, "The image is written into the daemon's image directory.")],
    fields: [
      field('Disk', disk, 'disk'),
      field('Image name', name, 'name'),
      h('div', { class: 'vp-field', 'data-field': 'linked' }, linked.el),
    ],
    confirm: 'Create image',
    send: () =>
      api('POST', '/v1/images', {
        point: p.id,
        disk: disk.value,
        name: name.value,
        linked: linked.box.checked,
      }),
    shown: (r) => `Image ${(r as { path?: string } | null)?.path ?? ''} created`,
    done,
  });
}

export function verifyDialog(p: PointView, done: () => void): void {
  const deep = checkbox('Deep (also read the whole flattened point)', {});
  actionDialog({
    title: `Verify ${p.name}`,
    intro: [
      h(
        'p',
        {},
        'Checks every file the point is read through against the length and sha256 recorded at backup time.',
      ),
    ],
    fields: [h('div', { class: 'vp-field', 'data-field': 'deep' }, deep.el)],
    confirm: 'Verify',
    send: () => api('POST', `/v1/points/${p.id}/verify`, deep.box.checked ? { deep: true } : {}),
    shown: (r) => (r as { summary?: string } | null)?.summary ?? 'verified',
    done,
  });
}

export function mountDialog(p: PointView): void {
  const disk = diskSelect(p);
  const dir = input({ name: 'dir', placeholder: '/mnt/old' });
  actionDialog({
    title: `Mount ${p.name} read-only`,
    intro: [h('p', {}, "The disk's filesystem, read-only, at a directory of this host (undone when idle).")],
    fields: [field('Disk', disk, 'disk'), field('Directory', dir, 'dir')],
    confirm: 'Mount',
    send: () => api('POST', '/v1/mounts', { point: p.id, disk: disk.value, dir: dir.value }),
    shown: (r) => `Mounted at ${(r as { dir?: string } | null)?.dir ?? ''}`,
    done: () => undefined,
  });
}

export function deleteDialog(c: ChainView, ps: readonly PointView[], p: PointView, done: () => void): void {
  const later = ps.filter((x) => x.seq > p.seq);
  const cascade = checkbox(`Cascade: also delete the ${later.length} later point(s)`, { name: 'cascade' });
  const explain =
    p.seq === 0
      ? `${p.name} is the full point: deleting it deletes the whole chain ${c.id} (${ps.length} point(s): ${ps.map((x) => x.name).join(', ')}).`
      : later.length === 0
        ? `${p.name} is the newest point of chain ${c.id}: only it is deleted.`
        : `${p.name} is merged into its child ${later[0]?.name ?? ''}, so the later points stay restorable. ` +
          `With cascade, it and every later point (${later.map((x) => x.name).join(', ')}) are deleted instead.`;
  actionDialog({
    title: `Delete ${p.name}`,
    intro: [h('p', { class: 'vp-delete-explain' }, explain)],
    fields:
      p.seq > 0 && later.length > 0
        ? [h('div', { class: 'vp-field', 'data-field': 'cascade' }, cascade.el)]
        : [],
    confirm: 'Delete',
    danger: true,
    send: () =>
      api('DELETE', `/v1/points/${p.id}`, undefined, { cascade: cascade.box.checked ? 'true' : undefined }),
    shown: () => 'Deleted',
    done,
  });
}
