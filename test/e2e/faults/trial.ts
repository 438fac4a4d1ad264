import { readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ExecutionContext } from 'ava';
import type { JobView, PointView } from '../../../src/contract/index.js';
import type { TestDaemon } from '../../helpers/daemon.js';
import { sha256FileInImage } from '../../helpers/host-image.js';
import type { TestVm } from '../../helpers/test-vm.js';
import { virsh } from '../../helpers/virsh.js';

/**
 * What every fault trial asserts afterwards: no job left queued/running, no guest frozen, no
 * checkpoint of ours without an available point, no store file the catalog does not own, and
 * every available point restoring the bytes the guest had when it was taken.
 */

/** restic-style Random(seed): repeatable pseudo-random numbers in [0, 1) (mulberry32). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function api<T>(d: TestDaemon, method: string, path: string, body?: unknown): Promise<T> {
  const r = await d.http(method, path, body === undefined ? undefined : JSON.stringify(body), {
    'content-type': 'application/json',
  });
  if (r.status >= 400) throw new Error(`${method} ${path}: ${r.status} ${r.body}`);
  return (r.body === '' ? null : JSON.parse(r.body)) as T;
}

export async function waitJob(d: TestDaemon, id: string, timeoutMs = 180_000): Promise<JobView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const j = await api<JobView>(d, 'GET', `/v1/jobs/${id}`);
    if (j.state !== 'queued' && j.state !== 'running') return j;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${j.state} after ${timeoutMs} ms`);
    await sleep(200);
  }
}

/** Resolves once the domain has a libvirt job (the backup copies). */
export async function waitDomainJob(vm: TestVm, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const info = await virsh(['domjobinfo', vm.name]).catch(() => '');
    if (/Job type:\s+(Unbounded|Bounded)/.test(info)) return;
    await sleep(50);
  }
  throw new Error(`no libvirt job on ${vm.name} within ${timeoutMs} ms`);
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else out.push(p);
  }
  return out;
}

/** What the guest's file held when a point was taken: point id → guest path → sha256. */
export type Expected = Map<string, Record<string, string>>;

export async function assertInvariants(
  t: ExecutionContext,
  d: TestDaemon,
  vms: readonly TestVm[],
  expected: Expected,
  label: string,
): Promise<void> {
  const jobs = await api<JobView[]>(d, 'GET', '/v1/jobs');
  t.deepEqual(
    jobs.filter((j) => j.state === 'queued' || j.state === 'running').map((j) => j.id),
    [],
    `${label}: no job stuck`,
  );
  const points = await api<PointView[]>(d, 'GET', '/v1/points');
  for (const vm of vms) {
    if ((await vm.state()) === 'running' && (await vm.agent.ping(5))) {
      t.is(await vm.agent.fsfreezeStatus(), 'thawed', `${label}: ${vm.name} not frozen`);
    }
    const names = (await virsh(['checkpoint-list', vm.name, '--name']))
      .split('\n')
      .filter((l) => l.trim() !== '');
    for (const name of names.filter((n) => n.startsWith('vp-'))) {
      const owner = points.find(
        (p) => p.domain === vm.uuid && p.state !== 'error' && `vp-${p.chainId}-${p.seq}` === name,
      );
      t.truthy(owner, `${label}: checkpoint ${name} of ${vm.name} belongs to a point that is not error`);
    }
  }
  // A point owns its disk files and, once available, its manifest beside them (docs/recovery.md).
  const owned = new Set(
    points
      .filter((p) => p.state !== 'error')
      .flatMap((p) => [
        ...p.disks.map((x) => x.path),
        ...p.disks.slice(0, 1).map((x) => join(dirname(x.path), `${p.seq}.manifest.json`)),
      ]),
  );
  const files = await filesUnder(join(d.stateDir, 'store'));
  t.deepEqual(
    files.filter((f) => !owned.has(f)),
    [],
    `${label}: every store file belongs to a point`,
  );
  for (const p of points.filter((x) => x.state === 'available')) {
    const want = expected.get(p.id);
    if (!want) continue;
    const vda = p.disks.find((x) => x.target === 'vda');
    if (!vda) continue;
    for (const [path, sha] of Object.entries(want)) {
      t.is(await sha256FileInImage(vda.path, path), sha, `${label}: point ${p.id} restores ${path}`);
    }
    expected.delete(p.id); // checked once
  }
}

export async function fileSize(path: string): Promise<number> {
  return (await stat(path)).size;
}
