#!/usr/bin/env node
/**
 * Bundles the `virtpoint` CLI (dist/cli/main.js, built by tsc) into one file,
 * dist/cli/virtpoint.mjs, with its npm dependencies (yargs) inside: the bin that package.json
 * and setup-host install. Node then reads and links one module instead of ~100, which is most
 * of what a short command such as `virtpoint status` costs (bench/cli.ts: 104 → 91 ms median
 * here; `node -e 0` ≈ 53 ms). The command modules stay lazily evaluated (the registry's imports
 * become functions in the bundle). `npm run build:cli`; `npm run build` runs it.
 */
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');

await build({
  entryPoints: [join(repo, 'dist', 'cli', 'main.js')],
  outfile: join(repo, 'dist', 'cli', 'virtpoint.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // CommonJS parts of the dependencies call require(): give the ESM bundle one.
  banner: {
    js: "import { createRequire as virtpointRequire } from 'node:module';\nconst require = virtpointRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
