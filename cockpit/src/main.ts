/**
 * The virtpoint Cockpit page: hash routes #/overview, #/points/<domain>, #/jobs?…, #/policies,
 * #/storage. Every action goes through the daemon's HTTP API (api.ts).
 */
import { loadConfig } from './api.js';
import { h } from './dom.js';
import { renderJobs } from './pages/jobs.js';
import { renderOverview } from './pages/overview.js';
import { renderPoints } from './pages/points.js';
import { renderPolicies } from './pages/policies.js';
import { renderStorage } from './pages/storage.js';

function route(): { page: string; arg: string; query: string } {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path = '', query = ''] = raw.split('?', 2);
  const [page = 'overview', ...rest] = path.split('/');
  return { page: page || 'overview', arg: decodeURIComponent(rest.join('/')), query };
}

let seq = 0;

async function render(): Promise<void> {
  const main = document.getElementById('vp-main');
  if (!main) return;
  const mine = ++seq;
  const { page, arg, query } = route();
  for (const a of document.querySelectorAll<HTMLAnchorElement>('[data-route]')) {
    const on = a.dataset['route'] === page || (page === 'points' && a.dataset['route'] === 'overview');
    a.parentElement?.classList.toggle('pf-m-current', on);
    if (on) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const target = h('div', { class: 'vp-page', 'data-page': page });
  target.append(h('p', {}, 'Loading…'));
  main.replaceChildren(target);
  try {
    if (page === 'points' && arg) await renderPoints(target, arg);
    else if (page === 'jobs') await renderJobs(target, query);
    else if (page === 'policies') await renderPolicies(target);
    else if (page === 'storage') await renderStorage(target);
    else await renderOverview(target);
  } catch (e) {
    target.replaceChildren(h('p', { role: 'alert' }, `The page failed: ${String(e)}`));
  }
  if (mine === seq) target.dataset['ready'] = 'true';
}

async function boot(): Promise<void> {
  await loadConfig();
  window.addEventListener('hashchange', () => void render());
  await render();
}

void boot();
