/**
 * Preflight judges (`virtpoint doctor`, and the same checks logged as warnings at daemon start):
 * each takes what a port read and says `ok`, `warn` or `fail` with an actionable message. Pure;
 * the service (service/preflight/) gathers the facts.
 */

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface Check {
  /** Stable id: `libvirt`, `qemu`, `store-access`, `free-space`, `agent:<domain>`, … */
  readonly name: string;
  readonly status: CheckStatus;
  readonly message: string;
}

/** libvirt ≥ 7.2 (checkpoints and push backups without the experimental flag); QEMU ≥ 6.0 (bitmaps, blockdev backup). */
export const MIN_LIBVIRT = 7_002_000;
export const MIN_QEMU = 6_000_000;

/** `7002000` → `7.2.0`. */
export function formatVersion(v: number): string {
  return `${Math.floor(v / 1e6)}.${Math.floor((v % 1e6) / 1e3)}.${v % 1e3}`;
}

export function judgeLibvirt(versions: { libvirt: number; qemu: number } | { error: string }): Check[] {
  if ('error' in versions)
    return [
      {
        name: 'libvirt',
        status: 'fail',
        message: `libvirt is not reachable: ${versions.error} (systemctl status libvirtd; libvirt_socket in virtpoint.conf)`,
      },
    ];
  const lv = versions.libvirt;
  const q = versions.qemu;
  return [
    lv >= MIN_LIBVIRT
      ? { name: 'libvirt', status: 'ok', message: `libvirt ${formatVersion(lv)}` }
      : {
          name: 'libvirt',
          status: 'fail',
          message: `libvirt ${formatVersion(lv)} is older than ${formatVersion(MIN_LIBVIRT)}: backups need checkpoints and push backups; upgrade libvirt`,
        },
    q >= MIN_QEMU
      ? { name: 'qemu', status: 'ok', message: `QEMU ${formatVersion(q)}` }
      : {
          name: 'qemu',
          status: 'fail',
          message: `QEMU ${formatVersion(q)} is older than ${formatVersion(MIN_QEMU)}: backups need persistent dirty bitmaps; upgrade QEMU`,
        },
  ];
}

export interface DirFacts {
  readonly path: string;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
}

export interface QemuUser {
  readonly name: string;
  readonly uid: number;
  /** Primary and supplementary groups. */
  readonly gids: readonly number[];
}

/** May `user` pass through (search, x) the directory? root always may. */
export function canTraverse(dir: DirFacts, user: QemuUser): boolean {
  if (user.uid === 0) return true;
  if (dir.uid === user.uid) return (dir.mode & 0o100) !== 0;
  if (user.gids.includes(dir.gid)) return (dir.mode & 0o010) !== 0;
  return (dir.mode & 0o001) !== 0;
}

/**
 * QEMU (running as `user`) opens the backup targets in the store: every directory from `/` down
 * to the store must be traversable by it, or the first backup fails with a bare
 * "Permission denied". `dirs` is the chain of directories, outermost first.
 */
export function judgeStoreAccess(store: string, dirs: readonly DirFacts[], user: QemuUser | null): Check {
  const name = 'store-access';
  if (user === null)
    return {
      name,
      status: 'warn',
      message: 'the QEMU user is unknown (see user = in /etc/libvirt/qemu.conf); store access not checked',
    };
  const blocked = dirs.find((d) => !canTraverse(d, user));
  if (blocked === undefined)
    return { name, status: 'ok', message: `${store} is reachable by the QEMU user ${user.name}` };
  return {
    name,
    status: 'fail',
    message: `${blocked.path} (mode ${blocked.mode.toString(8).padStart(4, '0')}) blocks the QEMU user ${user.name} from ${store}: backups will fail with "Permission denied"; chmod o+x ${blocked.path} or choose a --state-dir QEMU can reach`,
  };
}

/** Below 10 GiB or below 5 % free: warn; below 1 GiB: fail. */
export function judgeFreeSpace(store: string, free: number | null, total: number | null = null): Check {
  const name = 'free-space';
  const GiB = 1024 ** 3;
  if (free === null) return { name, status: 'warn', message: `free space of ${store} could not be read` };
  const shown = `${(free / GiB).toFixed(1)} GiB free on ${store}`;
  if (free < GiB)
    return {
      name,
      status: 'fail',
      message: `${shown}: backups will fail with NO_SPACE; free space or delete points`,
    };
  if (free < 10 * GiB || (total !== null && free < total * 0.05))
    return { name, status: 'warn', message: `${shown}: low; check retention (virtpoint usage)` };
  return { name, status: 'ok', message: shown };
}

export interface DomainFacts {
  readonly name: string;
  readonly running: boolean;
  /** The XML has an org.qemu.guest_agent.0 channel. */
  readonly agentChannel: boolean;
  /** guest-ping answered (null: not tried — the domain is not running). */
  readonly agentAnswers: boolean | null;
  /** Disk target → format (`qcow2`, `raw`) and, for qcow2, its compat level (`1.1` = v3; null: unknown). */
  readonly disks: readonly {
    readonly target: string;
    readonly format: string;
    readonly compat: string | null;
  }[];
}

export function judgeDomain(d: DomainFacts): Check[] {
  const out: Check[] = [];
  const agent = `agent:${d.name}`;
  if (!d.agentChannel)
    out.push({
      name: agent,
      status: 'warn',
      message: `${d.name} has no guest agent channel (org.qemu.guest_agent.0): its points will be crash-consistent; add the channel and install qemu-guest-agent in the guest`,
    });
  else if (d.agentAnswers === false)
    out.push({
      name: agent,
      status: 'warn',
      message: `the guest agent of ${d.name} does not answer: its points will be crash-consistent; start qemu-guest-agent in the guest`,
    });
  else
    out.push({
      name: agent,
      status: 'ok',
      message:
        d.agentAnswers === null
          ? `${d.name}: agent channel present (not running: not pinged)`
          : `${d.name}: guest agent answers`,
    });
  for (const disk of d.disks) {
    const n = `disk:${d.name}/${disk.target}`;
    if (disk.format !== 'qcow2')
      out.push({
        name: n,
        status: 'warn',
        message: `${d.name} ${disk.target} is ${disk.format}: no dirty bitmaps, every point of it is a full copy; convert it to qcow2 v3`,
      });
    else if (disk.compat !== null && disk.compat !== '1.1')
      out.push({
        name: n,
        status: 'fail',
        message: `${d.name} ${disk.target} is qcow2 compat ${disk.compat} (v2): no persistent bitmaps; qemu-img amend -o compat=1.1 (domain shut off)`,
      });
    else
      out.push({
        name: n,
        status: 'ok',
        message: `${d.name} ${disk.target}: qcow2${disk.compat === null ? '' : ' v3'}`,
      });
  }
  return out;
}

/**
 * Schedules run in the host's local time zone: an unresolvable zone falls back to UTC silently;
 * a clock before the build (a host without RTC) makes every schedule wrong.
 */
export function judgeClock(timeZone: string | null, now: number, notBefore: number): Check {
  const name = 'clock';
  if (now < notBefore)
    return {
      name,
      status: 'fail',
      message: `the clock (${new Date(now).toISOString()}) is behind this build: set the time (timedatectl, chrony)`,
    };
  if (timeZone === null || timeZone === '')
    return {
      name,
      status: 'warn',
      message: 'the host time zone is unknown: schedules run in UTC (timedatectl set-timezone)',
    };
  return { name, status: 'ok', message: `time zone ${timeZone}, now ${new Date(now).toISOString()}` };
}

/** The worst status of the checks. */
export function worst(checks: readonly Check[]): CheckStatus {
  return checks.some((c) => c.status === 'fail')
    ? 'fail'
    : checks.some((c) => c.status === 'warn')
      ? 'warn'
      : 'ok';
}

/** `/a/b/c` → `/`, `/a`, `/a/b`, `/a/b/c`. */
export function ancestors(path: string): string[] {
  const parts = path.split('/').filter((p) => p !== '');
  return ['/', ...parts.map((_, i) => '/' + parts.slice(0, i + 1).join('/'))];
}
