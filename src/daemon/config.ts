import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { VirtpointError } from '../core/errors.js';

/**
 * virtpointd's settings: an optional file (`/etc/virtpoint/virtpoint.conf`, `key = value` lines,
 * `#` comments, like libvirtd.conf) and command-line flags that override it. Every setting has a
 * default, so the daemon runs with no file at all. Unknown keys and bad values are errors that
 * name the file and line.
 */

export interface Config {
  /** Catalog and store live here: `<stateDir>/catalog.db`, `<stateDir>/store/`. */
  readonly stateDir: string;
  readonly socket: string;
  /** Group owning the API socket (0660); null: root's group. */
  readonly socketGroup: string | null;
  /** libvirt socket; null: libvirt-sock, then virtqemud-sock. */
  readonly libvirtSocket: string | null;
  readonly jobConcurrency: number;
  readonly freezeTimeoutMs: number;
  /** How long SIGTERM waits for running jobs before aborting them. */
  readonly shutdownTimeoutMs: number;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
  /** Runs missed while the daemon was down within this many hours get one catch-up run at start. */
  readonly catchUpHours: number;
  /** Directories `volume create --dir` may write to (`allowed_volume_dirs`, comma-separated); default none. */
  readonly allowedVolumeDirs: readonly string[];
  /** Where images go (`image_dir`); null: `<stateDir>/images`. */
  readonly imageDir: string | null;
  /** Finished jobs older than this many days are pruned at every local midnight (`job_retention_days`; 0: never). */
  readonly jobRetentionDays: number;
  /** Daily scheduled verify at this local time (`verify_schedule`, `HH:MM` or `off`); null: off. */
  readonly verifySchedule: string | null;
  /** Points not verified for this many days are verified by the scheduled verify (`verify_max_age_days`). */
  readonly verifyMaxAgeDays: number;
  /** A scheduled verify stops after this many minutes (`verify_budget_minutes`). */
  readonly verifyBudgetMinutes: number;
  /** A mount or export unread for this many minutes is undone (`mount_idle_minutes`; docs/restore.md). */
  readonly mountIdleMinutes: number;
  /** Also serve `GET /metrics` on TCP at this `host:port` (`metrics_listen`); null: only on the API socket. */
  readonly metricsListen: { readonly host: string; readonly port: number } | null;
}

export const DEFAULT_CONFIG_FILE = '/etc/virtpoint/virtpoint.conf';

export const DEFAULTS: Config = {
  stateDir: '/var/lib/virtpoint',
  socket: '/run/virtpoint/virtpoint.sock',
  socketGroup: 'virtpoint',
  libvirtSocket: null,
  jobConcurrency: 2,
  freezeTimeoutMs: 10_000,
  shutdownTimeoutMs: 120_000,
  logLevel: 'info',
  catchUpHours: 6,
  allowedVolumeDirs: [],
  imageDir: null,
  jobRetentionDays: 90,
  verifySchedule: '03:00',
  verifyMaxAgeDays: 7,
  verifyBudgetMinutes: 60,
  mountIdleMinutes: 60,
  metricsListen: null,
};

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

type Parser = (raw: string) => Partial<Config>;

const absPath = (key: keyof Config) => (raw: string) => {
  if (!raw.startsWith('/')) throw new Error('must be an absolute path');
  return { [key]: raw } as Partial<Config>;
};
const intIn = (lo: number, hi: number, to: (n: number) => Partial<Config>) => (raw: string) => {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < lo || n > hi) throw new Error(`must be an integer from ${lo} to ${hi}`);
  return to(n);
};

const KEYS: Readonly<Record<string, Parser>> = {
  state_dir: absPath('stateDir'),
  socket: absPath('socket'),
  socket_group: (raw) => {
    if (!/^[a-z_][a-z0-9_-]{0,31}$/i.test(raw)) throw new Error('must be a group name');
    return { socketGroup: raw };
  },
  libvirt_socket: absPath('libvirtSocket'),
  job_concurrency: intIn(1, 16, (n) => ({ jobConcurrency: n })),
  freeze_timeout_seconds: intIn(1, 600, (n) => ({ freezeTimeoutMs: n * 1000 })),
  shutdown_timeout_seconds: intIn(1, 86_400, (n) => ({ shutdownTimeoutMs: n * 1000 })),
  catch_up_hours: intIn(0, 720, (n) => ({ catchUpHours: n })),
  job_retention_days: intIn(0, 36_500, (n) => ({ jobRetentionDays: n })),
  verify_schedule: (raw) => {
    if (raw === 'off') return { verifySchedule: null };
    if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(raw)) throw new Error("must be HH:MM (local time) or 'off'");
    return { verifySchedule: raw };
  },
  verify_max_age_days: intIn(1, 3650, (n) => ({ verifyMaxAgeDays: n })),
  verify_budget_minutes: intIn(1, 1440, (n) => ({ verifyBudgetMinutes: n })),
  mount_idle_minutes: intIn(1, 10080, (n) => ({ mountIdleMinutes: n })),
  allowed_volume_dirs: (raw) => {
    const dirs = raw === '' ? [] : raw.split(',').map((d) => d.trim());
    if (dirs.some((d) => !d.startsWith('/'))) throw new Error('must be absolute paths, comma-separated');
    return { allowedVolumeDirs: dirs };
  },
  image_dir: absPath('imageDir'),
  metrics_listen: (raw) => ({ metricsListen: parseListen(raw) }),
  log_level: (raw) => {
    if (!(LOG_LEVELS as readonly string[]).includes(raw))
      throw new Error(`must be one of ${LOG_LEVELS.join(', ')}`);
    return { logLevel: raw as Config['logLevel'] };
  },
};

/** Every key a config file may set (docs/virtpoint.conf.example and man/virtpoint.conf.5 list them all). */
export const CONFIG_KEYS: readonly string[] = Object.keys(KEYS);

/** `host:port` (IPv4, `[IPv6]` or a name; port 1–65535), or `off`. */
function parseListen(raw: string): Config['metricsListen'] {
  if (raw === 'off' || raw === '') return null;
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+):(\d{1,5})$/i.exec(raw);
  const port = Number(m?.[2]);
  if (!m || port < 1 || port > 65_535) throw new Error("must be host:port (e.g. 127.0.0.1:9525) or 'off'");
  return { host: (m[1] ?? '').replace(/^\[|\]$/g, ''), port };
}

/** Parses the text of a config file; `source` names it in errors. */
export function parseConfig(text: string, source: string): Partial<Config> {
  let out: Partial<Config> = {};
  for (const [i, line] of text.split('\n').entries()) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const m = /^([a-z_]+)\s*=\s*(.*)$/.exec(trimmed);
    const where = `${source}:${i + 1}`;
    if (!m) throw new VirtpointError('INVALID_ARGUMENT', `${where}: expected 'key = value'`);
    const key = m[1] ?? '';
    let value = (m[2] ?? '').replace(/\s+#.*$/, '').trim();
    if (/^".*"$/.test(value)) value = value.slice(1, -1);
    const parse = KEYS[key];
    if (!parse) {
      throw new VirtpointError(
        'INVALID_ARGUMENT',
        `${where}: unknown setting '${key}' (known: ${Object.keys(KEYS).join(', ')})`,
      );
    }
    try {
      out = { ...out, ...parse(value) };
    } catch (e) {
      throw new VirtpointError('INVALID_ARGUMENT', `${where}: ${key} ${(e as Error).message}`);
    }
  }
  return out;
}

export interface ConfigFlags {
  readonly config?: string;
  readonly socket?: string;
  readonly stateDir?: string;
  readonly logLevel?: string;
}

/** Defaults, then the file (if it exists; a file named by --config must exist), then the flags. */
export async function loadConfig(flags: ConfigFlags): Promise<Config> {
  const file = flags.config ?? DEFAULT_CONFIG_FILE;
  let fromFile: Partial<Config> = {};
  try {
    fromFile = parseConfig(await readFile(file, 'utf8'), file);
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    if (!missing || flags.config !== undefined) {
      if (missing) throw new VirtpointError('INVALID_ARGUMENT', `config file ${file} does not exist`);
      throw e;
    }
  }
  const flag = (name: string, parse: Parser, raw: string | undefined): Partial<Config> => {
    if (raw === undefined) return {};
    try {
      return parse(raw);
    } catch (e) {
      throw new VirtpointError('INVALID_ARGUMENT', `--${name} ${(e as Error).message}`);
    }
  };
  const fromFlags: Partial<Config> = {
    ...flag('socket', absPath('socket'), flags.socket),
    ...flag('state-dir', absPath('stateDir'), flags.stateDir),
    ...flag('log-level', KEYS.log_level!, flags.logLevel),
  };
  return { ...DEFAULTS, ...fromFile, ...fromFlags };
}

export const catalogPath = (c: Config): string => join(c.stateDir, 'catalog.db');
export const storeRoot = (c: Config): string => join(c.stateDir, 'store');
export const mountWorkDir = (c: Config): string => join(c.stateDir, 'mounts');
export const imageDir = (c: Config): string => c.imageDir ?? join(c.stateDir, 'images');
