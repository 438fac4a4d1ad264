import { runCommand } from '../../src/adapters/process/run-command.js';

/**
 * virsh, as an oracle independent of virtpoint's own libvirt client: the test harness creates and
 * removes its VMs through it. argv arrays only.
 */
export const LIBVIRT_URI = process.env.VIRTPOINT_TEST_LIBVIRT_URI ?? 'qemu:///system';

export async function virsh(args: readonly string[], timeoutMs = 60_000): Promise<string> {
  const res = await runCommand(['virsh', '-q', '-c', LIBVIRT_URI, ...args], { timeoutMs });
  return res.stdout.toString('utf8').trim();
}

/** Like virsh() but resolves to null instead of throwing. */
export async function virshMaybe(args: readonly string[], timeoutMs = 60_000): Promise<string | null> {
  try {
    return await virsh(args, timeoutMs);
  } catch {
    return null;
  }
}

export async function domainState(name: string): Promise<string> {
  return virsh(['domstate', name]);
}

export async function waitForState(name: string, state: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = (await virshMaybe(['domstate', name])) ?? 'unknown';
    if (last === state) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`domain ${name} did not reach state '${state}' within ${timeoutMs} ms (last: ${last})`);
}

/** Stop (if running) and undefine a domain, with its checkpoint metadata. Never throws for an absent domain. */
export async function removeDomain(name: string): Promise<void> {
  const state = await virshMaybe(['domstate', name]);
  if (state === null) return;
  if (state !== 'shut off') await virshMaybe(['destroy', name]);
  await virsh(['undefine', name, '--checkpoints-metadata']);
}

export async function listDomainNames(): Promise<string[]> {
  const out = await virsh(['list', '--all', '--name']);
  return out
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean);
}
