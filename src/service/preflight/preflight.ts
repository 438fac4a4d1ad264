/**
 * The preflight checks (docs/cli.md "doctor"): gathers the facts through the ports and lets the
 * judges of core/preflight.ts rate them. Run by `GET /v1/doctor` and once at daemon start
 * (every non-ok check logged as a warning). Changes nothing; a fact that cannot be read is a
 * check of its own, never an exception.
 */

import {
  ancestors,
  judgeClock,
  judgeDomain,
  judgeFreeSpace,
  judgeLibvirt,
  judgeStoreAccess,
  type Check,
  type DirFacts,
  type DomainFacts,
} from '../../core/preflight.js';
import type { Fs } from '../../ports/fs.js';
import type { Hypervisor } from '../../ports/hypervisor.js';
import type { ImageTool } from '../../ports/image-tool.js';
import type { Logger } from '../../ports/logger.js';
import type { PreflightHost } from '../../ports/preflight.js';
import type { Receiver } from '../../ports/notifier.js';
import type { ReceiverProbe } from '../../ports/receiver-probe.js';
import { judgeReceiver } from '../../core/preflight-receivers.js';
import { formatReceiver } from '../../core/policy-task.js';
import { redactReceiver } from '../../core/redact.js';

export interface PreflightDeps {
  readonly host: PreflightHost;
  readonly hypervisor: Pick<Hypervisor, 'listDomains' | 'agentCommand'>;
  readonly imageTool: Pick<ImageTool, 'info'>;
  readonly fs: Pick<Fs, 'stat' | 'freeBytes'>;
  readonly storeRoot: string;
  readonly timeZone: string | null;
  readonly now: () => number;
  /** Any earlier clock is wrong (the build's date). */
  readonly notBefore: number;
  /** The tasks' receivers and how to probe them (absent: the check is not run). */
  readonly receivers?: {
    readonly tasks: () => readonly { readonly name: string; readonly receivers: readonly Receiver[] }[];
    readonly probe: ReceiverProbe;
  };
}

/** A webhook that does not accept a connection within this is reported unreachable. */
export const WEBHOOK_PROBE_MS = 2000;

const AGENT_PING_MS = 3000;

export async function runPreflight(deps: PreflightDeps): Promise<Check[]> {
  const versions = await deps.host.versions().catch((e: unknown) => ({ error: (e as Error).message }));
  const checks: Check[] = [...judgeLibvirt(versions)];
  checks.push(
    judgeStoreAccess(deps.storeRoot, await dirChain(deps), await deps.host.qemuUser().catch(() => null)),
  );
  checks.push(judgeFreeSpace(deps.storeRoot, await deps.fs.freeBytes(deps.storeRoot).catch(() => null)));
  checks.push(judgeClock(deps.timeZone, deps.now(), deps.notBefore));
  if (!('error' in versions)) {
    const domains = await deps.hypervisor.listDomains().catch(() => null);
    if (domains === null)
      checks.push({ name: 'domains', status: 'warn', message: 'the domains could not be listed' });
    for (const d of domains ?? []) checks.push(...judgeDomain(await domainFacts(deps, d)));
  }
  checks.push(...(await receiverChecks(deps)));
  return checks;
}

/** Runs the checks and logs every one that is not ok (daemon start). */
export async function logPreflight(deps: PreflightDeps, log: Logger): Promise<Check[]> {
  const checks = await runPreflight(deps);
  for (const c of checks)
    if (c.status !== 'ok') log.warn({ check: c.name, status: c.status }, `preflight: ${c.message}`);
  log.info(
    { checks: checks.length, problems: checks.filter((c) => c.status !== 'ok').length },
    'preflight done (virtpoint doctor)',
  );
  return checks;
}

async function dirChain(deps: PreflightDeps): Promise<DirFacts[]> {
  const out: DirFacts[] = [];
  for (const path of ancestors(deps.storeRoot)) {
    const s = await deps.fs.stat(path).catch(() => null);
    if (s !== null) out.push({ path, mode: s.mode, uid: s.uid, gid: s.gid });
  }
  return out;
}

async function domainFacts(
  deps: PreflightDeps,
  d: Awaited<ReturnType<Hypervisor['listDomains']>>[number],
): Promise<DomainFacts> {
  const running = d.state === 'running';
  let agentAnswers: boolean | null = null;
  if (running && d.hasAgentChannel)
    agentAnswers = await deps.hypervisor.agentCommand(d.uuid, '{"execute":"guest-ping"}', AGENT_PING_MS).then(
      () => true,
      () => false,
    );
  const disks = [];
  for (const disk of d.disks.filter((x) => x.device === 'disk')) {
    const format = disk.format ?? 'unknown';
    let compat: string | null = null;
    if (format === 'qcow2' && disk.sourcePath !== null && disk.sourceType === 'file')
      compat = (await deps.imageTool.info(disk.sourcePath).catch(() => null))?.compat ?? null;
    disks.push({ target: disk.target, format, compat });
  }
  return { name: d.name, running, agentChannel: d.hasAgentChannel, agentAnswers, disks };
}

/** `notify:TASK/RECEIVER` for every webhook and exec receiver, probed at once (journal needs none). */
async function receiverChecks(deps: PreflightDeps): Promise<Check[]> {
  const r = deps.receivers;
  if (r === undefined) return [];
  const probes = r.tasks().flatMap((t) =>
    t.receivers.map(async (rc) => {
      if (rc.kind === 'journal') return null;
      const probe =
        rc.kind === 'webhook' ? await r.probe.webhook(rc.url, WEBHOOK_PROBE_MS) : await r.probe.exec(rc.path);
      return judgeReceiver({ task: t.name, receiver: redactReceiver(formatReceiver(rc)), probe });
    }),
  );
  return (await Promise.all(probes)).filter((c): c is Check => c !== null);
}
