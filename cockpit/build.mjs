#!/usr/bin/env node
/**
 * Builds the Cockpit package into cockpit/dist/: src/main.ts bundled by esbuild (one IIFE,
 * browser target), index.html, manifest.json, virtpoint.css and PatternFly's CSS copied beside
 * it. `npm run build:cockpit`; `npm run build` runs it too. Install: copy dist/ to
 * /usr/share/cockpit/virtpoint/ (scripts/setup-host.sh does when Cockpit is present).
 */
import { build } from 'esbuild';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'dist');
const require = createRequire(import.meta.url);

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
await build({
  entryPoints: [join(here, 'src', 'main.ts')],
  outfile: join(out, 'virtpoint.js'),
  bundle: true,
  format: 'iife',
  target: ['chrome110', 'firefox110'],
  minify: false,
  sourcemap: false,
  logLevel: 'warning',
});
for (const f of ['index.html', 'manifest.json', 'virtpoint.css']) await copyFile(join(here, f), join(out, f));
await copyFile(require.resolve('@patternfly/patternfly/patternfly.min.css'), join(out, 'patternfly.min.css'));
process.stdout.write(`cockpit plugin built into ${out}\n`);
