import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { TEST_ROOT } from './run-dir.js';
import { listDomainNames, removeDomain } from './virsh.js';

/**
 * Removes what crashed test runs left: `vpt-` domains and run directories whose owner process is
 * gone. Domains and directories of live runs (their owner.pid is alive) are left alone.
 */

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function liveRunIds(): Promise<Set<string>> {
  const live = new Set<string>();
  let entries: string[] = [];
  try {
    entries = await readdir(TEST_ROOT);
  } catch {
    return live;
  }
  for (const runId of entries) {
    if (!runId.startsWith('vpt-')) continue;
    const pid = Number((await readFile(join(TEST_ROOT, runId, 'owner.pid'), 'utf8').catch(() => '')).trim());
    if (pid > 0 && alive(pid)) live.add(runId);
  }
  return live;
}

export interface SweepResult {
  readonly domains: string[];
  readonly dirs: string[];
}

export async function sweep(): Promise<SweepResult> {
  const live = await liveRunIds();
  const domains: string[] = [];
  for (const name of await listDomainNames()) {
    const m = /^(vpt-[0-9a-f]+)-/.exec(name);
    if (!m || live.has(m[1] ?? '')) continue;
    await removeDomain(name);
    domains.push(name);
  }
  const dirs: string[] = [];
  for (const runId of await readdir(TEST_ROOT).catch(() => [] as string[])) {
    if (!runId.startsWith('vpt-') || live.has(runId)) continue;
    await rm(join(TEST_ROOT, runId), { recursive: true, force: true });
    dirs.push(runId);
  }
  return { domains, dirs };
}
