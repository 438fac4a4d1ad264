/**
 * bench/cli: what `virtpoint status` costs as a process (issue 16: ≤ 90 ms, the median of ≥ 9
 * runs). Interleaved and rotated each round: the installed bin (the one-file bundle
 * dist/cli/virtpoint.mjs, scripts/build-cli.mjs), the tsc output it is made from
 * (dist/cli/main.js: what the bin was before), and `node -e 0` (the floor no CLI in Node goes
 * under). Each against its own daemon (the built one, an empty state dir), one warm-up run each.
 * Needs `npm run build`.
 *
 *   npx tsx bench/cli.ts [--quick]     (writes bench/results/cli.json)
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startDaemon, stopDaemon, waitReady, type Daemon } from './api.js';
import { formatTarget, rotation, summarize, type Summary, type Target } from './stats.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '..');
const RESULT_FILE = join(HERE, 'results', 'cli.json');
const GOAL_MS = 90;

interface Tool {
  readonly name: string;
  readonly argv: readonly string[];
}

function timeRun(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((res, rej) => {
    const t0 = performance.now();
    const c = spawn(process.execPath, argv, { cwd: REPO, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    c.stderr.on('data', (b: Buffer) => (err += b.toString()));
    c.on('error', rej);
    c.on('exit', (code) => {
      const ms = performance.now() - t0;
      if (code !== 0) rej(new Error(`${argv.join(' ')} exited ${code}: ${err.slice(-500)}`));
      else res(ms);
    });
  });
}

export async function run(): Promise<{ results: Record<string, Summary>; targets: Target[] }> {
  const rounds = process.argv.includes('--quick') ? 9 : 21;
  const dir = await mkdtemp(join(tmpdir(), 'vpt-bench-cli-'));
  let daemon: Daemon | undefined;
  try {
    const socket = join(dir, 'api.sock');
    const config = join(dir, 'empty.conf');
    await writeFile(config, '');
    daemon = startDaemon(config, socket, dir);
    await waitReady(daemon, socket, 30_000);
    const env: NodeJS.ProcessEnv = { ...process.env, VIRTPOINT_SOCKET: socket };
    delete env['TZ'];
    const tools: Tool[] = [
      { name: 'virtpoint status (bundle, the bin)', argv: ['dist/cli/virtpoint.mjs', 'status'] },
      { name: 'virtpoint status (tsc output)', argv: ['dist/cli/main.js', 'status'] },
      { name: 'node -e 0', argv: ['-e', '0'] },
    ];
    const times = new Map<string, number[]>(tools.map((t) => [t.name, []]));
    for (const t of tools) await timeRun(t.argv, env); // warm-up: the files in the page cache
    for (let r = 0; r < rounds; r++) {
      for (const t of rotation(tools, r)) times.get(t.name)!.push(await timeRun(t.argv, env));
    }
    const results = Object.fromEntries([...times].map(([k, v]) => [k, summarize(v)]));
    const bin = results[tools[0]!.name]!;
    const targets: Target[] = [
      { name: '`virtpoint status` median', value: bin.median, op: '<=', goal: GOAL_MS, unit: ' ms' },
    ];
    console.table(
      Object.fromEntries(
        Object.entries(results).map(([k, s]) => [
          k,
          { 'median ms': Math.round(s.median), 'min ms': Math.round(s.min), 'max ms': Math.round(s.max) },
        ]),
      ),
    );
    for (const t of targets) console.log(`[cli] ${formatTarget(t)}`);
    console.log(
      `[cli] ${rounds} rounds; our own cost = bin − node -e 0 = ${Math.round(bin.median - results['node -e 0']!.median)} ms`,
    );
    await mkdir(dirname(RESULT_FILE), { recursive: true });
    await writeFile(RESULT_FILE, JSON.stringify({ rounds, results, targets }, null, 2));
    return { results, targets };
  } finally {
    if (daemon) await stopDaemon(daemon);
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await run();
