import { seededBytes, sha256 } from './seeded.js';
import { virsh } from './virsh.js';

/**
 * Talks to the QEMU guest agent of a test VM: exec with captured output, file writes of seeded
 * data (into a file or a block range of a device), sha256 read inside the guest.
 */

/** Sends one agent command (JSON text) and returns the reply (JSON text). */
export type AgentTransport = (domain: string, command: string, timeoutSec: number) => Promise<string>;

/** virsh qemu-agent-command: the default transport. Its argv limit bounds one write to 64 KiB. */
export const virshAgentTransport: AgentTransport = (domain, command, timeoutSec) =>
  virsh(['qemu-agent-command', domain, command, '--timeout', String(timeoutSec)], (timeoutSec + 10) * 1000);

export interface ExecResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

const WRITE_CHUNK = 48 * 1024;

export class GuestAgent {
  constructor(
    readonly domain: string,
    private readonly transport: AgentTransport = virshAgentTransport,
  ) {}

  async command<T = unknown>(execute: string, args?: Record<string, unknown>, timeoutSec = 10): Promise<T> {
    const cmd = JSON.stringify(args === undefined ? { execute } : { execute, arguments: args });
    const reply = JSON.parse(await this.transport(this.domain, cmd, timeoutSec)) as { return: T };
    return reply.return;
  }

  async ping(timeoutSec = 2): Promise<boolean> {
    try {
      await this.command('guest-ping', undefined, timeoutSec);
      return true;
    } catch {
      return false;
    }
  }

  /** Resolves once the agent answers; returns how long that took. */
  async waitReady(timeoutMs = 120_000): Promise<number> {
    const start = Date.now();
    while (Date.now() - start < timeoutMs) {
      if (await this.ping(1)) return Date.now() - start;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`guest agent of ${this.domain} did not answer within ${timeoutMs} ms`);
  }

  /** Run `/bin/sh -c script` in the guest; waits for it to exit. */
  async exec(script: string, timeoutMs = 60_000): Promise<ExecResult> {
    const { pid } = await this.command<{ pid: number }>('guest-exec', {
      path: '/bin/sh',
      arg: ['-c', script],
      'capture-output': true,
    });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const st = await this.command<{
        exited: boolean;
        exitcode?: number;
        signal?: number;
        'out-data'?: string;
        'err-data'?: string;
      }>('guest-exec-status', { pid });
      if (st.exited) {
        return {
          exitCode: st.exitcode ?? 128 + (st.signal ?? 0),
          stdout: Buffer.from(st['out-data'] ?? '', 'base64').toString('utf8'),
          stderr: Buffer.from(st['err-data'] ?? '', 'base64').toString('utf8'),
        };
      }
      if (Date.now() > deadline)
        throw new Error(`guest command did not finish in ${timeoutMs} ms: ${script}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** exec() that throws unless the exit code is 0; returns stdout. */
  async sh(script: string, timeoutMs?: number): Promise<string> {
    const r = await this.exec(script, timeoutMs);
    if (r.exitCode !== 0) throw new Error(`guest command failed (${r.exitCode}): ${script}\n${r.stderr}`);
    return r.stdout;
  }

  /** Write bytes at `offset` of a guest file or device (created/truncated when `truncate`). */
  async writeBytes(
    path: string,
    data: Buffer,
    opts: { offset?: number; truncate?: boolean } = {},
  ): Promise<void> {
    const mode = opts.truncate ? 'w' : 'r+';
    const handle = await this.command<number>('guest-file-open', { path, mode });
    try {
      if (opts.offset) await this.command('guest-file-seek', { handle, offset: opts.offset, whence: 'set' });
      for (let pos = 0; pos < data.length; pos += WRITE_CHUNK) {
        const chunk = data.subarray(pos, pos + WRITE_CHUNK);
        await this.command('guest-file-write', { handle, 'buf-b64': chunk.toString('base64') }, 30);
      }
      await this.command('guest-file-flush', { handle });
    } finally {
      await this.command('guest-file-close', { handle });
    }
  }

  /** Write `length` seeded bytes to a new file; syncs; returns the sha256 of what was written. */
  async writeSeededFile(path: string, seed: string | number, length: number): Promise<string> {
    const data = seededBytes(seed, length);
    await this.sh(`mkdir -p "$(dirname '${path}')"`);
    await this.writeBytes(path, data, { truncate: true });
    await this.sh('sync');
    return sha256(data);
  }

  /** Write `length` seeded bytes at `offset` of a block device (e.g. /dev/vdb); syncs; returns the sha256. */
  async writeSeededBlocks(
    device: string,
    offset: number,
    seed: string | number,
    length: number,
  ): Promise<string> {
    const data = seededBytes(seed, length);
    await this.writeBytes(device, data, { offset });
    await this.sh('sync');
    return sha256(data);
  }

  /** sha256 of a guest file, read inside the guest. */
  async sha256File(path: string): Promise<string> {
    const out = await this.sh(`sha256sum '${path}'`);
    return out.split(/\s+/)[0] ?? '';
  }

  /** sha256 of a byte range of a guest device (offset and length multiples of 512), read inside the guest. */
  async sha256Blocks(device: string, offset: number, length: number): Promise<string> {
    if (offset % 512 !== 0 || length % 512 !== 0) throw new Error('block ranges must be 512-byte aligned');
    const out = await this.sh(
      `dd if='${device}' bs=512 skip=${offset / 512} count=${length / 512} 2>/dev/null | sha256sum`,
    );
    return out.split(/\s+/)[0] ?? '';
  }

  async fsfreezeStatus(): Promise<string> {
    return this.command<string>('guest-fsfreeze-status');
  }
}
