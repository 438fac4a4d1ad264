import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecutionContext } from 'ava';
import { runCommand } from '../../src/adapters/process/run-command.js';
import { fixtureDomainXml, type FixtureDisk } from '../../vm-fixtures/domain-xml.js';
import { GuestAgent, type AgentTransport } from './guest-agent.js';
import { prepareRunDir, RUN_DIR, RUN_ID } from './run-dir.js';
import { sweep } from './sweep.js';
import { removeDomain, virsh, waitForState } from './virsh.js';

/**
 * Throwaway VMs for e2e tests: named `<run id>-<label>` (run id `vpt-<random>`), files under this
 * run's directory, removed in t.teardown even when the test fails (and by the sweeper after a crash).
 */

export interface TestDiskSpec {
  /** Size in MiB (default 256). */
  readonly sizeMiB?: number;
  /** `ext4` (default): formatted, mounted by the guest at /mnt/<dev>. `none`: blank. */
  readonly fs?: 'ext4' | 'none';
  readonly format?: 'qcow2' | 'raw';
  /** Use this existing image as the disk (not created, not removed with the VM). */
  readonly existing?: string;
}

export interface TestVmOptions {
  readonly label?: string;
  /** One entry per disk, vda, vdb, ... (default: one ext4 disk). */
  readonly disks?: readonly TestDiskSpec[];
  /** Declare the guest-agent channel (default true). */
  readonly agent?: boolean;
  /** Start the VM and wait for the agent (default true; without agent: waits for `running`). */
  readonly start?: boolean;
  readonly memoryMiB?: number;
  readonly agentTransport?: AgentTransport;
}

export interface TestVm {
  readonly name: string;
  readonly uuid: string;
  readonly dir: string;
  readonly disks: readonly FixtureDisk[];
  readonly agent: GuestAgent;
  readonly consoleLog: string;
  /** ms from start to the agent's first answer (when started with an agent). */
  readonly bootToAgentMs: number | null;
  start(opts?: { waitAgent?: boolean }): Promise<number | null>;
  /** Clean shutdown through the guest agent, then wait for `shut off`. */
  shutdown(timeoutMs?: number): Promise<void>;
  destroy(): Promise<void>;
  state(): Promise<string>;
  console(): Promise<string>;
  remove(): Promise<void>;
}

let swept = false;
let counter = 0;

async function makeDisk(path: string, spec: TestDiskSpec): Promise<void> {
  const size = `${spec.sizeMiB ?? 256}M`;
  const format = spec.format ?? 'qcow2';
  if ((spec.fs ?? 'ext4') === 'none') {
    await runCommand(['qemu-img', 'create', '-q', '-f', format, path, size], { timeoutMs: 60_000 });
    return;
  }
  const raw = format === 'raw' ? path : `${path}.mkfs.raw`;
  await runCommand(['truncate', '-s', size, raw]);
  await runCommand(['mkfs.ext4', '-q', '-F', '-E', 'lazy_itable_init=0,lazy_journal_init=0', raw], {
    timeoutMs: 120_000,
  });
  if (format === 'qcow2') {
    await runCommand(['qemu-img', 'convert', '-O', 'qcow2', raw, path], { timeoutMs: 120_000 });
    await rm(raw, { force: true });
  }
}

export async function createTestVm(opts: TestVmOptions = {}): Promise<TestVm> {
  if (!swept) {
    swept = true;
    await sweep();
  }
  const { kernel, initrd } = await prepareRunDir();
  const label = (opts.label ?? 'vm').replace(/[^a-z0-9-]/gi, '-');
  const name = `${RUN_ID}-${label}-${++counter}`;
  const uuid = randomUUID();
  const dir = join(RUN_DIR, name);
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const specs = opts.disks ?? [{}];
  const disks: FixtureDisk[] = [];
  for (const [i, spec] of specs.entries()) {
    const target = `vd${String.fromCharCode(97 + i)}`;
    const format = spec.format ?? 'qcow2';
    const path = spec.existing ?? join(dir, `${target}.${format}`);
    if (spec.existing === undefined) await makeDisk(path, spec);
    disks.push({ target, path, format });
  }
  const consoleLog = join(dir, 'console.log');
  const xml = fixtureDomainXml({
    name,
    uuid,
    kernel,
    initrd,
    disks,
    agent: opts.agent !== false,
    consoleLog,
    ...(opts.memoryMiB ? { memoryMiB: opts.memoryMiB } : {}),
  });
  const xmlPath = join(dir, 'domain.xml');
  await writeFile(xmlPath, xml);
  await virsh(['define', xmlPath]);
  const agent = new GuestAgent(name, opts.agentTransport);

  const vm: TestVm & { bootToAgentMs: number | null } = {
    name,
    uuid,
    dir,
    disks,
    agent,
    consoleLog,
    bootToAgentMs: null,
    async start(o = {}) {
      await virsh(['start', name]);
      if (opts.agent === false || o.waitAgent === false) {
        await waitForState(name, 'running', 30_000);
        return null;
      }
      try {
        vm.bootToAgentMs = await agent.waitReady(120_000);
      } catch (e) {
        throw new Error(`${(e as Error).message}\n--- console of ${name} ---\n${await vm.console()}`);
      }
      return vm.bootToAgentMs;
    },
    async shutdown(timeoutMs = 60_000) {
      await virsh(['shutdown', name, '--mode', 'agent']);
      await waitForState(name, 'shut off', timeoutMs);
    },
    async destroy() {
      await virsh(['destroy', name]);
    },
    state: () => virsh(['domstate', name]),
    console: () => readFile(consoleLog, 'utf8').catch(() => '(no console log)'),
    async remove() {
      await removeDomain(name);
      await rm(dir, { recursive: true, force: true });
    },
  };
  if (opts.start !== false) {
    try {
      await vm.start();
    } catch (e) {
      await vm.remove().catch(() => undefined);
      throw e;
    }
  }
  return vm;
}

/** createTestVm() whose VM is removed when the test ends, pass or fail. */
export async function withTestVm(t: ExecutionContext, opts: TestVmOptions = {}): Promise<TestVm> {
  const holder: { vm?: TestVm } = {};
  t.teardown(async () => {
    await holder.vm?.remove();
  });
  holder.vm = await createTestVm({ label: t.title.slice(0, 24), ...opts });
  return holder.vm;
}
