/**
 * OfflineBackup (ports/offline-backup.ts) on qemu-storage-daemon: started with only a QMP
 * monitor on a Unix socket we own (`--chardev socket,path=…` `--monitor`, `--daemonize
 * --pidfile`), the volume and the target added with `blockdev-add`, then one `transaction` of
 * `blockdev-backup` (sync full, or incremental with the volume's persistent bitmap) and
 * `block-dirty-bitmap-add` of the next persistent bitmap. The job is followed by its
 * JOB_STATUS_CHANGE events and `query-jobs`; the daemon is stopped by PID after /proc proves it
 * is the one started (storage-daemon.ts parseStat), so a PID reused by another process is never
 * signalled.
 */

import { join } from 'node:path';

import { VirtpointError, toVirtpointError } from '../../core/errors.js';
import type { OfflineBackup, OfflineBackupSpec } from '../../ports/offline-backup.js';
import { runCommand } from '../process/run-command.js';
import { nodeProc, parseStat, QSD, type ProcFs } from '../qsd/storage-daemon.js';
import { QmpClient } from './qmp-client.js';

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;
const POLL_MS = 250;
const JOB_ID = 'vp-backup';

export const socketPath = (runDir: string, tag: string) => join(runDir, `${tag}.qmp`);
export const pidPath = (runDir: string, tag: string) => join(runDir, `${tag}.pid`);

/** The argv that starts the daemon: a QMP monitor on `socket` only; nodes are added over QMP. */
export function offlineQsdArgv(socket: string, pidFile: string): string[] {
  return [
    QSD,
    '--chardev',
    `socket,id=qmp0,path=${socket},server=on,wait=off`,
    '--monitor',
    'chardev=qmp0',
    '--daemonize',
    '--pidfile',
    pidFile,
  ];
}

export interface OfflineBackupHost {
  readonly proc: ProcFs;
  /** Runs the daemonizing start command (resolves once the parent exited). */
  readonly start: (argv: string[]) => Promise<void>;
  readonly connect: (socket: string) => Promise<QmpClient>;
  readonly removeFile: (path: string) => Promise<void>;
  readonly listDir: (dir: string) => Promise<string[]>;
}

interface Proc {
  readonly pid: number;
  readonly startTime: number;
}

export class QsdOfflineBackup implements OfflineBackup {
  constructor(private readonly host: OfflineBackupHost) {}

  async run(spec: OfflineBackupSpec): Promise<void> {
    const socket = socketPath(spec.runDir, spec.tag);
    const pidFile = pidPath(spec.runDir, spec.tag);
    await this.host.start(offlineQsdArgv(socket, pidFile));
    const proc = await this.fromPidFile(pidFile, socket);
    if (proc === null) {
      throw new VirtpointError(
        'COMMAND_FAILED',
        `${QSD} reported ready but ${pidFile} names no process of ours`,
      );
    }
    let qmp: QmpClient | null = null;
    try {
      qmp = await this.host.connect(socket);
      await this.backup(qmp, spec);
    } finally {
      qmp?.close();
      await this.stop(proc, socket);
      await this.host.removeFile(pidFile).catch(() => undefined);
      await this.host.removeFile(socket).catch(() => undefined);
    }
  }

  async stopLeftovers(runDir: string): Promise<string[]> {
    const stopped: string[] = [];
    const names = await this.host.listDir(runDir).catch(() => [] as string[]);
    for (const name of names.filter((n) => n.endsWith('.pid'))) {
      const tag = name.slice(0, -'.pid'.length);
      const socket = socketPath(runDir, tag);
      const proc = await this.fromPidFile(join(runDir, name), socket);
      if (proc !== null) {
        await this.stop(proc, socket);
        stopped.push(tag);
      }
      await this.host.removeFile(join(runDir, name)).catch(() => undefined);
      await this.host.removeFile(socket).catch(() => undefined);
    }
    return stopped;
  }

  private async backup(qmp: QmpClient, spec: OfflineBackupSpec): Promise<void> {
    const writable = spec.sourceFormat === 'qcow2' && spec.newBitmap !== undefined;
    await qmp.execute('blockdev-add', {
      'node-name': 'src',
      driver: spec.sourceFormat,
      'read-only': !writable,
      file: { driver: 'file', filename: spec.source, 'read-only': !writable },
    });
    // The target's backing chain (the parent point) is opened read-only from its header.
    await qmp.execute('blockdev-add', {
      'node-name': 'tgt',
      driver: 'qcow2',
      file: { driver: 'file', filename: spec.target },
    });
    const ended = this.jobEnd(qmp);
    const actions: unknown[] = [
      {
        type: 'blockdev-backup',
        data: {
          'job-id': JOB_ID,
          device: 'src',
          target: 'tgt',
          sync: spec.sync,
          ...(spec.sync === 'incremental' ? { bitmap: spec.bitmap } : {}),
          'auto-finalize': true,
          'auto-dismiss': false,
        },
      },
    ];
    if (spec.newBitmap !== undefined) {
      actions.push({
        type: 'block-dirty-bitmap-add',
        data: { node: 'src', name: spec.newBitmap, persistent: true },
      });
    }
    await qmp.execute('transaction', { actions });
    const abort = () => void qmp.execute('job-cancel', { id: JOB_ID }).catch(() => undefined);
    spec.signal?.addEventListener('abort', abort, { once: true });
    const timer = setInterval(() => void this.progress(qmp, spec), POLL_MS);
    let error: string | null;
    try {
      error = await ended.promise;
    } finally {
      clearInterval(timer);
      spec.signal?.removeEventListener('abort', abort);
      ended.cancel();
    }
    if (error !== null || spec.signal?.aborted) {
      if (spec.newBitmap !== undefined)
        await qmp
          .execute('block-dirty-bitmap-remove', { node: 'src', name: spec.newBitmap })
          .catch(() => undefined);
      if (spec.signal?.aborted) throw new VirtpointError('JOB_CANCELED', 'the volume backup was canceled');
      const code = /No space left/i.test(error ?? '') ? 'NO_SPACE' : 'JOB_FAILED';
      throw new VirtpointError(code, `the volume backup job failed: ${error ?? 'unknown error'}`);
    }
    for (const name of spec.removeBitmaps ?? []) {
      await qmp.execute('block-dirty-bitmap-remove', { node: 'src', name });
    }
    // Both nodes are closed before the daemon stops: bitmaps stored, target flushed.
    await qmp.execute('blockdev-del', { 'node-name': 'tgt' });
    await qmp.execute('blockdev-del', { 'node-name': 'src' });
  }

  /** Resolves with null when the job concluded without error, else with QEMU's error text. */
  private jobEnd(qmp: QmpClient): { promise: Promise<string | null>; cancel: () => void } {
    let off = () => undefined as unknown;
    const promise = new Promise<string | null>((resolve, reject) => {
      off = qmp.onEvent((e) => {
        if (e.event !== 'JOB_STATUS_CHANGE' || e.data.id !== JOB_ID || e.data.status !== 'concluded') return;
        qmp
          .execute('query-jobs')
          .then(async (jobs) => {
            const job = (jobs as { id: string; error?: string }[]).find((j) => j.id === JOB_ID);
            await qmp.execute('job-dismiss', { id: JOB_ID }).catch(() => undefined);
            resolve(job?.error ?? null);
          })
          .catch((err: unknown) => reject(toVirtpointError(err, 'JOB_FAILED')));
      });
    });
    return { promise, cancel: () => void off() };
  }

  private async progress(qmp: QmpClient, spec: OfflineBackupSpec): Promise<void> {
    if (!spec.onProgress) return;
    try {
      const jobs = (await qmp.execute('query-jobs')) as {
        id: string;
        'current-progress': number;
        'total-progress': number;
      }[];
      const job = jobs.find((j) => j.id === JOB_ID);
      if (job) spec.onProgress({ done: job['current-progress'], total: job['total-progress'] || null });
    } catch {
      // progress is best effort; the job's end is what counts
    }
  }

  private async stat(pid: number) {
    const text = await this.host.proc.readText(`/proc/${pid}/stat`);
    return text === null ? null : parseStat(text);
  }

  /** The process is alive, not a zombie, started at its recorded time, and names our socket. */
  private async isOurs(p: Proc, socket: string): Promise<boolean> {
    const stat = await this.stat(p.pid);
    if (stat === null || stat.state === 'Z' || stat.startTime !== p.startTime) return false;
    const argv = ((await this.host.proc.readText(`/proc/${p.pid}/cmdline`)) ?? '').split('\0');
    return (argv[0] ?? '').endsWith(QSD) && argv.some((a) => a.includes(`path=${socket},`));
  }

  private async fromPidFile(pidFile: string, socket: string): Promise<Proc | null> {
    const pid = Number((await this.host.proc.readText(pidFile))?.trim());
    if (!Number.isSafeInteger(pid) || pid <= 0) return null;
    const stat = await this.stat(pid);
    if (stat === null) return null;
    const proc = { pid, startTime: stat.startTime };
    return (await this.isOurs(proc, socket)) ? proc : null;
  }

  private async stop(p: Proc, socket: string): Promise<void> {
    if (!(await this.isOurs(p, socket))) return;
    this.host.proc.kill(p.pid, 'SIGTERM');
    for (let waited = 0; waited < STOP_TIMEOUT_MS; waited += 100) {
      if (!(await this.isOurs(p, socket))) return;
      await this.host.proc.sleep(100);
    }
    throw new VirtpointError(
      'COMMAND_TIMEOUT',
      `${QSD} (PID ${p.pid}) did not exit within ${STOP_TIMEOUT_MS / 1000} s of SIGTERM; ` +
        `kill it by that PID (check /proc/${p.pid}/cmdline names ${socket}), then back up again`,
    );
  }
}

/** The host effects on this machine. */
export function nodeOfflineBackupHost(fs: {
  removeFile(p: string): Promise<void>;
  listDir(p: string): Promise<string[]>;
}): OfflineBackupHost {
  return {
    proc: nodeProc,
    start: async (argv) => {
      await runCommand(argv, { timeoutMs: START_TIMEOUT_MS });
    },
    connect: (socket) => QmpClient.connect(socket),
    removeFile: (p) => fs.removeFile(p),
    listDir: (p) => fs.listDir(p),
  };
}
