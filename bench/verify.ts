import { randomBytes } from 'node:crypto';
import { mkdir, open, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { nodeFs } from '../src/adapters/node-fs.js';
import { runCommand } from '../src/adapters/process/run-command.js';
import { prepareRunDir, RUN_DIR } from '../test/helpers/run-dir.js';

/**
 * bench/verify (issue 13): the checksum a backup records and a verify re-reads, against
 * `sha256sum` of the same file in the same run — 1 GiB of random data, 5 rounds, the two tools
 * interleaved (order alternated each round), each timed step once with the file's page cache
 * dropped before it (`dd iflag=nocache count=0`: what a scheduled verify meets) and once warm
 * (what the checksum right after a backup meets: QEMU just wrote the file). Medians in MiB/s and
 * the ratio ours / sha256sum (target ≥ 0.9). Writes bench/results/verify.json; reports only.
 */

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const RESULTS = join(BENCH_DIR, 'results', 'verify.json');
const SIZE = 1024 ** 3;
const ROUNDS = 5;
const MiB = 1024 * 1024;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function dropCache(file: string): Promise<void> {
  await runCommand(['dd', `if=${file}`, 'iflag=nocache', 'count=0', 'status=none']);
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

export async function run(): Promise<unknown> {
  await prepareRunDir();
  const dir = join(RUN_DIR, `bench-verify-${process.pid}`);
  await mkdir(dir, { recursive: true });
  const file = resolve(dir, 'point.qcow2');
  try {
    const fh = await open(file, 'w');
    for (let done = 0; done < SIZE; done += 16 * MiB) await fh.write(randomBytes(16 * MiB));
    await fh.sync();
    await fh.close();
    const ours = async () => nodeFs.checksumFile(file);
    const theirs = async () => runCommand(['sha256sum', file], { timeoutMs: 600_000 });
    const ms: Record<string, number[]> = { oursCold: [], theirsCold: [], oursWarm: [], theirsWarm: [] };
    for (let r = 0; r < ROUNDS; r++) {
      const order: [string, () => Promise<unknown>][] =
        r % 2 === 0
          ? [
              ['ours', ours],
              ['theirs', theirs],
            ]
          : [
              ['theirs', theirs],
              ['ours', ours],
            ];
      for (const [name, fn] of order) {
        await dropCache(file);
        ms[`${name}Cold`]!.push(await timed(fn));
        ms[`${name}Warm`]!.push(await timed(fn)); // the same file again: in the page cache now
      }
    }
    const mibs = (k: string) => +(SIZE / MiB / (median(ms[k]!) / 1000)).toFixed(0);
    const result = {
      sizeBytes: SIZE,
      rounds: ROUNDS,
      medianMs: Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, +median(v).toFixed(1)])),
      mibPerSecond: {
        oursCold: mibs('oursCold'),
        sha256sumCold: mibs('theirsCold'),
        oursWarm: mibs('oursWarm'),
        sha256sumWarm: mibs('theirsWarm'),
      },
      ratio: {
        cold: +(median(ms.theirsCold!) / median(ms.oursCold!)).toFixed(2),
        warm: +(median(ms.theirsWarm!) / median(ms.oursWarm!)).toFixed(2),
      },
    };
    console.table(result.mibPerSecond);
    console.log(`[verify] ratio sha256sum time / ours: cold ${result.ratio.cold}, warm ${result.ratio.warm}`);
    await mkdir(dirname(RESULTS), { recursive: true });
    await writeFile(RESULTS, JSON.stringify(result, null, 2) + '\n');
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
