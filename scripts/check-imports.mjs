#!/usr/bin/env node
/**
 * The import rules of src/ (docs/architecture.md, design.md "Layers"), checked on every
 * `npm run check`:
 *
 *   (a) no file imports a higher layer (the table LAYERS below; a layer may always import itself);
 *   (b) no import circles (strongly connected components of the file graph, each printed);
 *   (c) no file in src/ has more than 400 lines.
 *
 * Every `import … from`, `export … from`, `import()` and `import('x').T` of src/**\/*.ts counts,
 * type-only ones included (parsed with the TypeScript compiler already in devDependencies).
 * Only relative specifiers are followed; packages and `node:` modules are not part of the graph.
 *
 * Usage: node scripts/check-imports.mjs [--root <dir>] [--json]
 *   --root  the source tree to check (default: src/ beside this script)
 *   --json  print the findings as JSON instead of text
 * Exit code 0 when clean, 1 when a rule is broken, 2 on a usage error.
 */
import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const MAX_LINES = 400;

/**
 * Which layers each layer may import, besides itself. `types` entries may be imported only by
 * type-only imports (`import type`, `export type`, `import('x').T`).
 */
export const LAYERS = {
  cli: { any: ['contract', 'core'], types: [] },
  contract: { any: ['core'], types: ['ports'] },
  api: { any: ['service', 'contract', 'core', 'ports'], types: [] },
  service: { any: ['ports', 'core', 'contract'], types: [] },
  adapters: { any: ['ports', 'core'], types: [] },
  ports: { any: ['core'], types: [] },
  core: { any: [], types: [] },
  daemon: { any: ['*'], types: [] },
};

/** All .ts files under `dir` (sorted, relative to `dir`, with `/`). */
function listTs(dir) {
  const out = [];
  const walk = (rel) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) walk(r);
      else if (e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(r);
    }
  };
  walk('');
  return out.sort();
}

function lineCount(text) {
  if (text === '') return 0;
  const n = text.split('\n').length;
  return text.endsWith('\n') ? n - 1 : n;
}

/** The module specifiers of one file: { spec, typeOnly, line }. */
export function importsOf(fileName, text) {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found = [];
  const add = (lit, typeOnly) => {
    if (lit && ts.isStringLiteralLike(lit)) {
      const line = sf.getLineAndCharacterOfPosition(lit.getStart(sf)).line + 1;
      found.push({ spec: lit.text, typeOnly, line });
    }
  };
  const visit = (node) => {
    if (ts.isImportDeclaration(node)) {
      const c = node.importClause;
      const typeOnly =
        c !== undefined &&
        (c.isTypeOnly ||
          (c.name === undefined &&
            c.namedBindings !== undefined &&
            ts.isNamedImports(c.namedBindings) &&
            c.namedBindings.elements.length > 0 &&
            c.namedBindings.elements.every((e) => e.isTypeOnly)));
      add(node.moduleSpecifier, typeOnly);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      const typeOnly =
        node.isTypeOnly ||
        (node.exportClause !== undefined &&
          ts.isNamedExports(node.exportClause) &&
          node.exportClause.elements.length > 0 &&
          node.exportClause.elements.every((e) => e.isTypeOnly));
      add(node.moduleSpecifier, typeOnly);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node.arguments[0], false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/** `./x.js` from `a/b.ts` → `a/x.ts` (or `a/x/index.ts`) when that file is in `files`; else null. */
function resolve(fromFile, spec, files) {
  if (!spec.startsWith('./') && !spec.startsWith('../')) return null;
  const joined = path.posix.normalize(path.posix.join(path.posix.dirname(fromFile), spec));
  const base = joined.replace(/\.(m|c)?js$/, '').replace(/\.(m|c)?ts$/, '');
  for (const c of [`${base}.ts`, `${base}/index.ts`]) if (files.has(c)) return c;
  return { unresolved: joined };
}

const layerOf = (file) => (file.includes('/') ? file.slice(0, file.indexOf('/')) : '(src root)');

/** Tarjan's strongly connected components; returns those that are circles (size > 1 or a self-import). */
function circles(nodes, edges) {
  let index = 0;
  const idx = new Map();
  const low = new Map();
  const onStack = new Set();
  const stack = [];
  const out = [];
  const strong = (v) => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v), idx.get(w)));
      }
    }
    if (low.get(v) === idx.get(v)) {
      const comp = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (edges.get(v) ?? new Set()).has(v)) out.push(comp.sort());
    }
  };
  for (const v of nodes) if (!idx.has(v)) strong(v);
  return out.sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

/** One shortest circle through `start` inside `comp` (for the message): [start, …, start]. */
function cycleThrough(start, comp, edges) {
  const inComp = new Set(comp);
  const prev = new Map();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift();
    for (const w of edges.get(v) ?? []) {
      if (!inComp.has(w)) continue;
      if (w === start) {
        const pathBack = [v];
        while (pathBack[0] !== start) pathBack.unshift(prev.get(pathBack[0]));
        return [...pathBack, start];
      }
      if (!prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start];
}

/**
 * Checks the tree under `root`. Returns { files, layers: [...], circles: [...], long: [...],
 * unresolved: [...] }; each list empty when clean.
 */
export function checkImports(root) {
  const list = listTs(root);
  const files = new Set(list);
  const edges = new Map();
  const layers = [];
  const long = [];
  const unresolved = [];
  for (const file of list) {
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    const lines = lineCount(text);
    if (lines > MAX_LINES) long.push({ file, lines });
    const from = layerOf(file);
    const rule = LAYERS[from];
    const out = new Set();
    edges.set(file, out);
    for (const imp of importsOf(file, text)) {
      const target = resolve(file, imp.spec, files);
      if (target === null) continue;
      if (typeof target === 'object') {
        unresolved.push({ file, line: imp.line, spec: imp.spec });
        continue;
      }
      out.add(target);
      const to = layerOf(target);
      const allowed =
        rule !== undefined &&
        (to === from ||
          rule.any.includes('*') ||
          rule.any.includes(to) ||
          (imp.typeOnly && rule.types.includes(to)));
      if (!allowed) {
        const why =
          rule === undefined
            ? `${from} is not a known layer (${Object.keys(LAYERS).join(', ')})`
            : rule.types.includes(to)
              ? `${from} may import ${to} only with a type-only import`
              : `${from} may import ${[from, ...rule.any, ...rule.types.map((t) => `${t} (types)`)].join(', ')}`;
        layers.push({ file, line: imp.line, imports: target, from, to, why });
      }
    }
  }
  const found = circles(list, edges).map((comp) => ({
    files: comp,
    cycle: cycleThrough(comp[0], comp, edges),
  }));
  return { files: list.length, layers, circles: found, long, unresolved };
}

export function formatFindings(r) {
  const out = [];
  if (r.layers.length > 0) {
    out.push(`Imports of a higher layer (${r.layers.length}):`);
    for (const f of r.layers) out.push(`  ${f.file}:${f.line} imports ${f.imports} — ${f.why}`);
  }
  if (r.circles.length > 0) {
    out.push(`Import circles (${r.circles.length}):`);
    for (const c of r.circles) {
      out.push(`  ${c.cycle.join(' → ')}`);
      if (c.files.length > c.cycle.length - 1)
        out.push(`    (all ${c.files.length} files of it: ${c.files.join(', ')})`);
    }
  }
  if (r.long.length > 0) {
    out.push(`Files over ${MAX_LINES} lines (${r.long.length}):`);
    for (const f of r.long) out.push(`  ${f.file}: ${f.lines} lines`);
  }
  if (r.unresolved.length > 0) {
    out.push(`Relative imports of files that do not exist (${r.unresolved.length}):`);
    for (const f of r.unresolved) out.push(`  ${f.file}:${f.line} imports '${f.spec}'`);
  }
  return out.join('\n');
}

export const isClean = (r) =>
  r.layers.length === 0 && r.circles.length === 0 && r.long.length === 0 && r.unresolved.length === 0;

function main(argv) {
  let root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'src');
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--json') json = true;
    else if (argv[i] === '--root' && argv[i + 1] !== undefined) root = path.resolve(argv[++i]);
    else {
      process.stderr.write(
        `check-imports: unknown argument ${argv[i]}\nusage: check-imports.mjs [--root DIR] [--json]\n`,
      );
      return 2;
    }
  }
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
    process.stderr.write(`check-imports: ${root} is not a directory\n`);
    return 2;
  }
  const r = checkImports(root);
  const clean = isClean(r);
  if (json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
  else if (clean)
    process.stdout.write(
      `check-imports: ${r.files} files, no upward import, no circle, none over ${MAX_LINES} lines\n`,
    );
  else process.stderr.write(`check-imports: ${root}\n${formatFindings(r)}\n`);
  return clean ? 0 : 1;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
