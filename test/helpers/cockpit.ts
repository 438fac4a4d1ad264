import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { runCommand } from '../../src/adapters/process/run-command.js';
import { prepareRunDir, RUN_DIR } from './run-dir.js';

/**
 * The Cockpit plugin in a real browser: a cockpit-ws of its own (scripts/test-servers/cockpit.sh,
 * `--local-session=cockpit-bridge`, XDG_DATA_DIRS at a copy of cockpit/dist whose config.json
 * names the test daemon's socket) and Debian's chromium driven by puppeteer-core. `close()`
 * stops both (the browser, then cockpit-ws by its PID file); call it in teardown.
 */

const REPO = join(fileURLToPath(import.meta.url), '..', '..', '..');
export const ARTIFACTS = join(REPO, 'test-artifacts', 'cockpit');
let n = 0;

export interface TestCockpit {
  readonly port: number;
  readonly browser: Browser;
  readonly page: Page;
  /** Opens `#/<route>` of the plugin and waits until the page has rendered. */
  open(route: string): Promise<void>;
  /** Waits until the page shown is rendered (after a hash change the page itself made). */
  ready(page: string): Promise<void>;
  /** A full-page screenshot into test-artifacts/cockpit/<name>.png. */
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

export async function startCockpit(socket: string): Promise<TestCockpit> {
  await prepareRunDir();
  const dir = join(RUN_DIR, `cockpit-${process.pid}-${++n}`);
  const script = join(REPO, 'scripts', 'test-servers', 'cockpit.sh');
  await runCommand(['node', join(REPO, 'cockpit', 'build.mjs')], { timeoutMs: 60_000 });
  await runCommand(['bash', script, 'start', dir], {
    timeoutMs: 30_000,
    env: { ...process.env, VIRTPOINT_COCKPIT_SOCKET: socket },
  });
  const port = Number((await readFile(join(dir, 'port'), 'utf8')).trim());
  let browser: Browser | null = null;
  const stopWs = async () => {
    await runCommand(['bash', script, 'stop', dir], { timeoutMs: 30_000 });
    await rm(dir, { recursive: true, force: true });
  };
  try {
    browser = await puppeteer.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      // Root in CI: chromium refuses to run as root with its sandbox.
      args: ['--no-sandbox', '--disable-dev-shm-usage', '--window-size=1280,900'],
      defaultViewport: { width: 1280, height: 900 },
      // A wedged renderer fails the call in 60 s (puppeteer's default is 180 s per call).
      protocolTimeout: 60_000,
    });
  } catch (e) {
    await stopWs();
    throw e;
  }
  const page = await browser.newPage();
  page.setDefaultTimeout(30_000);
  await mkdir(ARTIFACTS, { recursive: true });
  const base = `http://127.0.0.1:${port}/cockpit/@localhost/virtpoint/index.html`;
  const ready = async (name: string) => {
    await page.waitForSelector(`.vp-page[data-page="${name}"][data-ready="true"]`);
  };
  const b = browser;
  return {
    port,
    browser: b,
    page,
    async open(route: string) {
      const name = route.split(/[/?]/)[0] || 'overview';
      // A fresh load each time: the same URL again would not even fire hashchange.
      await page.goto('about:blank');
      await page.goto(`${base}#/${route}`);
      await ready(name);
    },
    ready,
    async screenshot(name: string) {
      const path = join(ARTIFACTS, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    async close() {
      await b.close().catch(() => undefined);
      await stopWs();
    },
  };
}
