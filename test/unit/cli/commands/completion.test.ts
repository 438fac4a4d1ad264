import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import test from 'ava';

import { completionSpec } from '../../../../src/cli/completion-spec.js';
import { COMMANDS } from '../../../../src/cli/registry.js';
import { run } from '../fake-api.js';

async function script(shell: string): Promise<string> {
  const r = await run(null, ['completion', shell]);
  if (r.code !== 0) throw new Error(r.stderr);
  return r.stdout;
}

/** Runs the completion function for the words (the last one is being completed) in bash. */
function complete(bash: string, words: string[], pathDir?: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'vpt-compl-'));
  try {
    const file = join(dir, 'virtpoint.bash');
    writeFileSync(file, bash);
    const line = ['virtpoint', ...words];
    const program = [
      `source ${file}`,
      `COMP_WORDS=(${line.map((w) => `'${w}'`).join(' ')})`,
      `COMP_CWORD=${line.length - 1}`,
      '_virtpoint',
      'printf "%s\\n" "${COMPREPLY[@]}"',
    ].join('\n');
    const env = {
      ...process.env,
      ...(pathDir === undefined ? {} : { PATH: `${pathDir}:${process.env['PATH'] ?? ''}` }),
    };
    const r = spawnSync('bash', ['--norc', '-c', program], { encoding: 'utf8', env });
    if (r.status !== 0) throw new Error(r.stderr);
    return r.stdout.split('\n').filter((l) => l !== '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('completion bash parses (bash -n) and names every command and verb of the registry', async (t) => {
  const bash = await script('bash');
  const dir = mkdtempSync(join(tmpdir(), 'vpt-compl-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'c.bash'), bash);
  const check = spawnSync('bash', ['-n', join(dir, 'c.bash')], { encoding: 'utf8' });
  t.is(check.status, 0, check.stderr);
  for (const c of COMMANDS) {
    const [noun, verb] = c.name.split(' ');
    if (verb === undefined) t.regex(bash, new RegExp(`compgen -W '[^']*\\b${noun}\\b`), c.name);
    else t.regex(bash, new RegExp(`^    ${noun}\\) echo '[^']*\\b${verb}\\b`, 'm'), c.name);
  }
  // The flags of a command come from its builder.
  t.regex(bash, /^ {4}'point list'\) echo '[^']*--domain[^']*--since/m);
  t.regex(bash, /^ {4}'backup'\) echo '[^']*--no-wait/m);
});

test('completion zsh wraps the bash script in bashcompinit; completion without a shell is exit 2', async (t) => {
  const zsh = await script('zsh');
  t.regex(zsh, /^#compdef virtpoint$/m);
  t.regex(zsh, /bashcompinit/);
  const bad = await run(null, ['completion', 'fish']);
  t.is(bad.code, 2);
  const help = await run(null, ['completion', '--help']);
  t.is(help.code, 0);
  t.regex(help.stdout, /virtpoint completion <shell>/);
});

test('bash: virtpoint point li<TAB> completes to list; a top-level word; flags of a command', async (t) => {
  const bash = await script('bash');
  t.deepEqual(complete(bash, ['point', 'li']), ['list']);
  t.deepEqual(complete(bash, ['sta']), ['status']);
  t.deepEqual(complete(bash, ['job', 'f']), ['follow']);
  t.true(complete(bash, ['point', 'list', '--do']).includes('--domain'));
  // A flag's value is not taken for a command word.
  t.deepEqual(complete(bash, ['--socket', '/x.sock', 'task', 'notify']), ['notify-test']);
});

test('bash: names come from `virtpoint … --json` (domains, points by id and name, tasks)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vpt-compl-bin-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const fake = join(dir, 'virtpoint');
  // Answers like the CLI's --json (2-space indented arrays); nested names must not be offered.
  writeFileSync(
    fake,
    `#!/bin/sh
case "$1 $2" in
  "domain list") printf '[\\n  {\\n    "name": "web1",\\n    "lastPoint": {\\n      "name": "nested"\\n    }\\n  },\\n  {\\n    "name": "db1"\\n  }\\n]\\n' ;;
  "point list") printf '[\\n  {\\n    "id": "a1b2c3d4e5f6",\\n    "name": "before-upgrade",\\n    "domainName": "web1"\\n  }\\n]\\n' ;;
  "task list") printf '[\\n  {\\n    "name": "nightly-web"\\n  }\\n]\\n' ;;
esac
`,
  );
  chmodSync(fake, 0o755);
  const bash = await script('bash');
  t.deepEqual(complete(bash, ['backup', ''], dir).sort(), ['db1', 'web1']);
  t.deepEqual(complete(bash, ['rollback', 'web1', '--point', ''], dir).sort(), [
    'a1b2c3d4e5f6',
    'before-upgrade',
  ]);
  t.deepEqual(complete(bash, ['point', 'show', 'bef'], dir), ['before-upgrade']);
  t.deepEqual(complete(bash, ['task', 'notify-test', ''], dir), ['nightly-web']);
  t.deepEqual(complete(bash, ['point', 'list', '--domain', 'w'], dir), ['web1']);
});

test('the completion spec has every registry entry', async (t) => {
  const specs = await completionSpec(COMMANDS);
  for (const c of COMMANDS)
    t.true(
      specs.some((s) => s.words.join(' ') === c.name),
      c.name,
    );
});
