/**
 * qemu-storage-daemon (QEMU ≥ 7.2) as the StorageDaemon port: one process per export, started
 * with `--daemonize --pidfile` (the parent exits once the export is up), the qcow2 node opened
 * read-only with its backing chain from the image header, the export `writable: false`.
 * Stopped by its exact PID after /proc proves it is still the process started (start time and
 * command line), never by name.
 */

import { readFile, writeFile } from 'node:fs/promises';

import { VirtpointError } from '../../core/errors.js';
import type { QsdProcess, StorageDaemon } from '../../ports/mounter.js';
import { hostMountNs } from '../process/host-mount-ns.js';
import { runCommand } from '../process/run-command.js';

export const QSD = 'qemu-storage-daemon';
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

type Opts = Parameters<StorageDaemon['start']>[0];

/** The argv that starts the export (JSON option values: paths need no comma escaping). */
export function qsdArgv(o: Opts): string[] {
  const json = (v: unknown) => JSON.stringify(v);
  const argv = [
    QSD,
    '--blockdev',
    json({ driver: 'file', 'node-name': 'file0', filename: o.image, 'read-only': true }),
    '--blockdev',
    json({ driver: o.format, 'node-name': 'disk0', file: 'file0', 'read-only': true }),
  ];
  if ('fuseFile' in o.export) {
    argv.push(
      '--export',
      json({
        type: 'fuse',
        id: 'exp0',
        'node-name': 'disk0',
        mountpoint: o.export.fuseFile,
        writable: false,
      }),
    );
  } else {
    argv.push(
      '--nbd-server',
      json({ addr: { type: 'unix', path: o.export.socket } }),
      '--export',
      json({ type: 'nbd', id: 'exp0', 'node-name': 'disk0', name: 'disk', writable: false }),
    );
  }
  argv.push('--daemonize', '--pidfile', o.pidFile);
  return argv;
}

/** Field 22 (starttime) of /proc/PID/stat, parsed after the `(comm)` field; null when gone. */
export function parseStat(stat: string): { state: string; startTime: number } | null {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const startTime = Number(rest[19]);
  if (rest[0] === undefined || !Number.isSafeInteger(startTime)) return null;
  return { state: rest[0], startTime };
}

export interface ProcFs {
  readText(path: string): Promise<string | null>;
  kill(pid: number, signal: NodeJS.Signals): void;
  sleep(ms: number): Promise<void>;
}

export const nodeProc: ProcFs = {
  readText: async (path) => {
    try {
      return await readFile(path, 'utf8');
    } catch {
      return null;
    }
  },
  kill: (pid, signal) => process.kill(pid, signal),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

export class QemuStorageDaemon implements StorageDaemon {
  constructor(private readonly proc: ProcFs = nodeProc) {}

  async start(o: Opts): Promise<QsdProcess> {
    if ('fuseFile' in o.export) await writeFile(o.export.fuseFile, '', { flag: 'wx', mode: 0o600 });
    // in the host's mount namespace: the FUSE export must be where losetup and the operator look
    await runCommand((await hostMountNs()).wrap(qsdArgv(o)), { timeoutMs: START_TIMEOUT_MS });
    const pid = Number((await this.proc.readText(o.pidFile))?.trim());
    const stat = Number.isSafeInteger(pid) && pid > 0 ? await this.stat(pid) : null;
    if (stat === null) {
      throw new VirtpointError(
        'COMMAND_FAILED',
        `${QSD} reported ready but its PID file ${o.pidFile} names no process`,
      );
    }
    return { pid, startTime: stat.startTime };
  }

  async isOurs(p: QsdProcess, mark: string): Promise<boolean> {
    const stat = await this.stat(p.pid);
    if (stat === null || stat.state === 'Z' || stat.startTime !== p.startTime) return false;
    const argv = ((await this.proc.readText(`/proc/${p.pid}/cmdline`)) ?? '').split('\0');
    return (argv[0] ?? '').endsWith(QSD) && argv.some((a) => a.includes(JSON.stringify(mark)));
  }

  async fromPidFile(pidFile: string, mark: string): Promise<QsdProcess | null> {
    const pid = Number((await this.proc.readText(pidFile))?.trim());
    if (!Number.isSafeInteger(pid) || pid <= 0) return null;
    const stat = await this.stat(pid);
    if (stat === null) return null;
    const proc = { pid, startTime: stat.startTime };
    return (await this.isOurs(proc, mark)) ? proc : null;
  }

  async readCount(p: QsdProcess): Promise<number | null> {
    const io = await this.proc.readText(`/proc/${p.pid}/io`);
    const m = /^rchar:\s*(\d+)$/m.exec(io ?? '');
    return m?.[1] === undefined ? null : Number(m[1]);
  }

  async stop(p: QsdProcess, mark: string): Promise<void> {
    if (!(await this.isOurs(p, mark))) return;
    this.proc.kill(p.pid, 'SIGTERM');
    for (let waited = 0; waited < STOP_TIMEOUT_MS; waited += 100) {
      if (!(await this.isOurs(p, mark))) return;
      await this.proc.sleep(100);
    }
    throw new VirtpointError(
      'COMMAND_TIMEOUT',
      `${QSD} (PID ${p.pid}) did not exit within ${STOP_TIMEOUT_MS / 1000} s of SIGTERM; ` +
        `check what holds ${mark} (fuser -vm), then run virtpoint point unmount again`,
    );
  }

  private async stat(pid: number) {
    const text = await this.proc.readText(`/proc/${pid}/stat`);
    return text === null ? null : parseStat(text);
  }
}
