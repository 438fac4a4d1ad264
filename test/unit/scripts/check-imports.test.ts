import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkImports, formatFindings, type Findings } from '../../../scripts/check-imports.mjs';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '../../../scripts/check-imports.mjs');

/** Writes a tree of files (path → text) under a fresh temp src/ and removes it after the test. */
async function tree(t: { teardown: (f: () => Promise<void>) => void }, files: Record<string, string>) {
  const dir = await mkdtemp(join(tmpdir(), 'vp-check-imports-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const root = join(dir, 'src');
  for (const [p, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, p)), { recursive: true });
    await writeFile(join(root, p), text);
  }
  return root;
}

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [SCRIPT, ...args], (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The checker in-process (the CLI itself is run by a few tests only: each start loads TypeScript). */
async function findings(root: string): Promise<{ code: number; r: Findings }> {
  const r = checkImports(root);
  const clean = r.layers.length + r.circles.length + r.long.length + r.unresolved.length === 0;
  return { code: clean ? 0 : 1, r };
}

const CLEAN: Record<string, string> = {
  'core/errors.ts': 'export class E extends Error {}\n',
  'core/names.ts': "import { E } from './errors.js';\nexport const n = (): E => new E();\n",
  'ports/catalog.ts': "import type { E } from '../core/errors.js';\nexport interface Catalog { e: E }\n",
  'contract/views.ts':
    "import type { Catalog } from '../ports/catalog.js';\nimport { n } from '../core/names.js';\nexport type V = Catalog;\nexport const x = n;\n",
  'adapters/sqlite/db.ts':
    "import type { Catalog } from '../../ports/catalog.js';\nimport { E } from '../../core/errors.js';\nimport fs from 'node:fs';\nexport const c = (): Catalog => ({ e: new E() });\nexport const f = fs;\n",
  'service/jobs/runner.ts':
    "import type { Catalog } from '../../ports/catalog.js';\nimport type { V } from '../../contract/views.js';\nexport const r = (c: Catalog, v: V) => [c, v];\n",
  'service/backup/api.ts': "import { r } from '../jobs/runner.js';\nexport const b = r;\n",
  'api/routes/backup.ts': "import { b } from '../../service/backup/api.js';\nexport const route = b;\n",
  'cli/main.ts': "import type { V } from '../contract/views.js';\nexport const m = (v: V) => v;\n",
  'daemon/main.ts':
    "import { c } from '../adapters/sqlite/db.js';\nimport { route } from '../api/routes/backup.js';\nexport const d = [c, route];\n",
};

test('a tree that keeps the rules passes with exit 0', async (t) => {
  const root = await tree(t, CLEAN);
  const { code, r } = await findings(root);
  t.is(code, 0);
  t.is(r.files, Object.keys(CLEAN).length);
  t.deepEqual([r.layers, r.circles, r.long, r.unresolved], [[], [], [], []]);
  const text = await run(['--root', root]);
  t.is(text.code, 0);
  t.regex(text.stdout, /10 files, no upward import, no circle/);
});

test('imports of a higher layer are listed with file, line and the rule', async (t) => {
  const root = await tree(t, {
    ...CLEAN,
    'adapters/notify/webhook.ts': "import { d } from '../../daemon/main.js';\nexport const w = d;\n",
    'core/bad.ts': "\n\nimport type { b } from '../service/backup/api.js';\nexport type B = typeof b;\n",
    'cli/run.ts': "import { r } from '../service/jobs/runner.js';\nexport const x = r;\n",
    'contract/value.ts': "import { c } from '../adapters/sqlite/db.js';\nexport const y = c;\n",
    // ports only as types: a value import is refused
    'contract/ports-value.ts': "import { Catalog } from '../ports/catalog.js';\nexport type Z = Catalog;\n",
  });
  const { code, r } = await findings(root);
  t.is(code, 1);
  t.deepEqual(
    r.layers.map((f) => `${f.file}:${f.line} → ${f.imports}`),
    [
      'adapters/notify/webhook.ts:1 → daemon/main.ts',
      'cli/run.ts:1 → service/jobs/runner.ts',
      'contract/ports-value.ts:1 → ports/catalog.ts',
      'contract/value.ts:1 → adapters/sqlite/db.ts',
      'core/bad.ts:3 → service/backup/api.ts',
    ],
  );
  t.regex(
    r.layers.find((f) => f.file === 'contract/ports-value.ts')?.why ?? '',
    /only with a type-only import/,
  );
  const text = await run(['--root', root]);
  t.is(text.code, 1);
  t.regex(text.stderr, /Imports of a higher layer \(5\):/);
  t.regex(text.stderr, /adapters\/notify\/webhook\.ts:1 imports daemon\/main\.ts — adapters may import/);
  const json = await run(['--root', root, '--json']);
  t.is(json.code, 1);
  t.deepEqual(JSON.parse(json.stdout), r, '--json prints the same findings');
});

test('every kind of specifier makes an edge: export from, import(), import type, import("x").T', async (t) => {
  const root = await tree(t, {
    'service/a.ts': "export { b } from './b.js';\n",
    'service/b.ts': "export const b = async () => (await import('./c.js')).c;\n",
    'service/c.ts': "import type { D } from './d.js';\nexport const c = 1 as unknown as D;\n",
    'service/d.ts': "export type D = import('./a.js').A;\nexport type A = number;\n",
    'service/self.ts': "import { s } from './self.js';\nexport const t = s;\nexport const s = 1;\n",
    'service/e.ts': "export * from './f.js';\n",
    'service/f.ts': "export type { X } from './e.js';\nexport type X = 1;\n",
  });
  const { code, r } = await findings(root);
  t.is(code, 1);
  t.deepEqual(
    r.circles.map((c) => c.files),
    [
      ['service/a.ts', 'service/b.ts', 'service/c.ts', 'service/d.ts'],
      ['service/e.ts', 'service/f.ts'],
      ['service/self.ts'],
    ],
  );
  t.deepEqual(r.circles[0]?.cycle, [
    'service/a.ts',
    'service/b.ts',
    'service/c.ts',
    'service/d.ts',
    'service/a.ts',
  ]);
  const text = { stderr: formatFindings(r) };
  t.regex(
    text.stderr,
    /Import circles \(3\):\n {2}service\/a\.ts → service\/b\.ts → service\/c\.ts → service\/d\.ts → service\/a\.ts/,
  );
  t.regex(text.stderr, /service\/self\.ts → service\/self\.ts/);
});

test('a circle is printed as one shortest loop plus all files of its component', async (t) => {
  const root = await tree(t, {
    'api/a.ts': "import './b.js';\nimport './c.js';\n",
    'api/b.ts': "import './a.js';\n",
    'api/c.ts': "import './b.js';\n",
  });
  const { r } = await findings(root);
  t.is(r.circles.length, 1);
  t.deepEqual(r.circles[0]?.cycle, ['api/a.ts', 'api/b.ts', 'api/a.ts']);
  t.deepEqual(r.circles[0]?.files, ['api/a.ts', 'api/b.ts', 'api/c.ts']);
  const text = { stderr: formatFindings(r) };
  t.regex(text.stderr, /\(all 3 files of it: api\/a\.ts, api\/b\.ts, api\/c\.ts\)/);
});

test('imports in comments and strings are not imports; packages and node: are not followed', async (t) => {
  const root = await tree(t, {
    'core/x.ts': [
      "// import { d } from '../daemon/main.js';",
      "/* export * from '../service/s.js'; */",
      'export const s = "import { a } from \'../adapters/a.js\'";',
      "export const u = `import('../api/b.js')`;",
      "import fs from 'node:fs';",
      "import ts from 'typescript';",
      'export const z = [fs, ts];',
      '',
    ].join('\n'),
  });
  const { code, r } = await findings(root);
  t.is(code, 0);
  t.deepEqual(r.layers, []);
});

test('files over 400 lines are listed; 400 lines is fine', async (t) => {
  const lines = (n: number) =>
    Array.from({ length: n }, (_, i) => `export const v${i} = ${i};`).join('\n') + '\n';
  const root = await tree(t, { 'core/ok.ts': lines(400), 'core/long.ts': lines(401) });
  const { code, r } = await findings(root);
  t.is(code, 1);
  t.deepEqual(r.long, [{ file: 'core/long.ts', lines: 401 }]);
  const text = { stderr: formatFindings(r) };
  t.regex(text.stderr, /Files over 400 lines \(1\):\n {2}core\/long\.ts: 401 lines/);
});

test('a relative import of a missing file, or a file outside the layers, is reported', async (t) => {
  const root = await tree(t, {
    'core/a.ts': "import { b } from './missing.js';\nexport const a = b;\n",
    'stray.ts': "import { a } from './core/a.js';\nexport const s = a;\n",
  });
  const { code, r } = await findings(root);
  t.is(code, 1);
  t.deepEqual(
    r.unresolved.map((u) => `${u.file} ${u.spec}`),
    ['core/a.ts ./missing.js'],
  );
  t.regex(r.layers[0]?.why ?? '', /not a known layer/);
});

test('usage errors exit 2', async (t) => {
  t.is((await run(['--bogus'])).code, 2);
  t.is((await run(['--root', '/nonexistent/virtpoint-src'])).code, 2);
});
