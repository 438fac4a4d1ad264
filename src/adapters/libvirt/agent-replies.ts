import { isVirtpointError } from '../../core/errors.js';

/** `{"return": N}` of guest-fsfreeze-freeze/thaw. */
export function agentCount(reply: string | null): number {
  const r = reply === null ? null : (JSON.parse(reply) as { return?: unknown }).return;
  return typeof r === 'number' ? r : 0;
}

/** libvirt's "Guest agent is not responding" after the agent's own timeout. */
export function isAgentTimeout(e: unknown): boolean {
  return isVirtpointError(e, 'AGENT_UNAVAILABLE') && /not responding|timeout|timed out/i.test(e.message);
}
