/**
 * bench/libvirt-calls: get-state latency and throughput of our libvirt client, sequential and
 * with 500 calls in flight, against `virsh domstate` spawns on the same domain in the same run.
 * Defines a throwaway `vpt-bench-…` domain (never started) and undefines it at the end.
 *
 *   npx tsx bench/libvirt-calls.ts      (writes bench/results/libvirt-calls.json)
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { LibvirtHypervisor } from '../src/adapters/libvirt/hypervisor.js';
import { fixtureDomainXml } from '../vm-fixtures/domain-xml.js';

const HERE = dirname(fileURLToPath(import.meta.url));
export const RESULT_FILE = join(HERE, 'results', 'libvirt-calls.json');

export interface Series {
  readonly name: string;
  readonly calls: number;
  readonly concurrency: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly callsPerSec: number;
}

export interface LibvirtCallsResult {
  readonly bench: 'libvirt-calls';
  readonly date: string;
  readonly domain: string;
  readonly series: readonly Series[];
  /** virsh p50 / our sequential p50. */
  readonly p50RatioVirshOverClient: number;
  /** our sequential calls/s / virsh calls/s. */
  readonly throughputRatioClientOverVirsh: number;
  readonly targetP50Ms: 1;
  readonly targetMet: boolean;
}

export interface RunOptions {
  readonly sequentialCalls?: number;
  readonly concurrentRounds?: number;
  readonly concurrency?: number;
  readonly virshCalls?: number;
  readonly socketPath?: string;
  readonly log?: (line: string) => void;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

function series(name: string, concurrency: number, lat: number[], wallMs: number): Series {
  const s = [...lat].sort((a, b) => a - b);
  return {
    name,
    calls: s.length,
    concurrency,
    p50Ms: round(quantile(s, 0.5)),
    p99Ms: round(quantile(s, 0.99)),
    maxMs: round(s[s.length - 1] ?? NaN),
    callsPerSec: round((s.length / wallMs) * 1000),
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function virshDomstate(name: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = spawn('virsh', ['-q', '-c', 'qemu:///system', 'domstate', name], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    c.stdout.on('data', (b: Buffer) => (out += b.toString()));
    c.stderr.on('data', (b: Buffer) => (err += b.toString()));
    c.once('error', reject);
    c.once('close', (code) =>
      code === 0 ? resolve(out.trim()) : reject(new Error(`virsh domstate: ${code}: ${err}`)),
    );
  });
}

export async function run(opts: RunOptions = {}): Promise<LibvirtCallsResult> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const seqN = opts.sequentialCalls ?? 5000;
  const rounds = opts.concurrentRounds ?? 10;
  const conc = opts.concurrency ?? 500;
  const virshN = opts.virshCalls ?? 50;
  const name = `vpt-bench-${randomBytes(3).toString('hex')}`;
  const uuid = randomUUID();
  // Define only: the kernel/disk paths are never opened.
  const xml = fixtureDomainXml({
    name,
    uuid,
    kernel: `/nonexistent/${name}/vmlinuz`,
    initrd: `/nonexistent/${name}/initrd.img`,
    disks: [{ target: 'vda', path: `/nonexistent/${name}/vda.qcow2`, format: 'qcow2' }],
    agent: false,
  });
  const hv = await LibvirtHypervisor.connect(
    { events: false, ...(opts.socketPath ? { socketPath: opts.socketPath } : {}) },
    30_000,
  );
  const out: Series[] = [];
  try {
    await hv.defineDomain(xml);
    try {
      // Warm-up (lookup cached, JIT warm).
      for (let i = 0; i < 200; i++) await hv.getDomainState(uuid);

      const seq: number[] = [];
      const t0 = performance.now();
      for (let i = 0; i < seqN; i++) {
        const a = performance.now();
        const st = await hv.getDomainState(uuid);
        seq.push(performance.now() - a);
        if (st !== 'shutoff') throw new Error(`unexpected state ${st}`);
      }
      out.push(series('client sequential', 1, seq, performance.now() - t0));

      const con: number[] = [];
      let wall = 0;
      for (let r = 0; r < rounds; r++) {
        const start = performance.now();
        await Promise.all(
          Array.from({ length: conc }, async () => {
            const a = performance.now();
            await hv.getDomainState(uuid);
            con.push(performance.now() - a);
          }),
        );
        wall += performance.now() - start;
      }
      out.push(series(`client ${conc} concurrent`, conc, con, wall));

      const vl: number[] = [];
      const v0 = performance.now();
      for (let i = 0; i < virshN; i++) {
        const a = performance.now();
        const st = await virshDomstate(name);
        vl.push(performance.now() - a);
        if (st !== 'shut off') throw new Error(`virsh says ${st}`);
      }
      out.push(series('virsh domstate spawn', 1, vl, performance.now() - v0));
    } finally {
      await hv.undefineDomain(uuid);
    }
  } finally {
    await hv.close();
  }

  const [client, , virsh] = out as [Series, Series, Series];
  const result: LibvirtCallsResult = {
    bench: 'libvirt-calls',
    date: new Date().toISOString(),
    domain: name,
    series: out,
    p50RatioVirshOverClient: round(virsh.p50Ms / client.p50Ms),
    throughputRatioClientOverVirsh: round(client.callsPerSec / virsh.callsPerSec),
    targetP50Ms: 1,
    targetMet: client.p50Ms <= 1,
  };

  const pad = (s: string | number, n: number): string => String(s).padStart(n);
  log(`libvirt-calls: get-state on ${name}`);
  log(
    `${'series'.padEnd(24)}${pad('calls', 8)}${pad('p50 ms', 10)}${pad('p99 ms', 10)}${pad('max ms', 10)}${pad('calls/s', 11)}`,
  );
  for (const s of out) {
    log(
      `${s.name.padEnd(24)}${pad(s.calls, 8)}${pad(s.p50Ms.toFixed(3), 10)}${pad(s.p99Ms.toFixed(3), 10)}` +
        `${pad(s.maxMs.toFixed(3), 10)}${pad(Math.round(s.callsPerSec), 11)}`,
    );
  }
  log(
    `virsh p50 / client p50 = ${result.p50RatioVirshOverClient}x; ` +
      `client calls/s / virsh calls/s = ${result.throughputRatioClientOverVirsh}x; ` +
      `target p50 <= 1 ms: ${result.targetMet ? 'met' : 'NOT met'}`,
  );
  await mkdir(dirname(RESULT_FILE), { recursive: true });
  await writeFile(RESULT_FILE, JSON.stringify(result, null, 2) + '\n');
  log(`wrote ${RESULT_FILE}`);
  return result;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  run().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
