/**
 * Validation of policy and backup-task inputs (from the API or the CLI), and the configurable
 * limits. Uniqueness of names and the existence of policies and domains are the catalog's and
 * the service's job; everything that can be judged from the input alone is judged here. Every
 * function throws INVALID_ARGUMENT naming the bad field, or returns the input normalized.
 */

import { CONTROL_CHARS_RE, DOMAIN_REF_MAX, validateChainLength } from './limits.js';
import { VirtpointError } from './errors.js';
import { looksRedacted, redactReceiver } from './redact.js';
import { canonicalDiskSet, validateDiskTarget } from './names.js';
import { parseRetention, type Retention } from './retention.js';
import { validateSchedule, type Schedule } from './schedule.js';
import { parsePoolVolume, validateVolumePath, volumeRefText, type VolumeRef } from './volume-ref.js';

export const NAME_MAX = 64;
/** Policy and task names: 1–64 of `[A-Za-z0-9_.-]`, not starting with `-` or `.`. */
const NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
export const MIN_TASK_POLICIES = 1;
export const MAX_TASK_POLICIES = 8;
export const MAX_TASK_RECEIVERS = 16;
export const MAX_TASK_RESOURCES = 256;

export interface Limits {
  /** Max number of policies on the host. */
  readonly maxPolicies: number;
  /** Max number of distinct domains bound to one policy (through all its tasks). */
  readonly maxDomainsPerPolicy: number;
}

export const DEFAULT_LIMITS: Limits = Object.freeze({ maxPolicies: 32, maxDomainsPerPolicy: 64 });

function hasControlChar(s: string): boolean {
  return CONTROL_CHARS_RE.test(s);
}

function invalid(message: string): never {
  throw new VirtpointError('INVALID_ARGUMENT', message);
}

/** Validates a policy or task name for `field` (e.g. `policy name`). */
export function validateName(name: unknown, field: string): string {
  if (typeof name !== 'string' || name.length < 1 || name.length > NAME_MAX || !NAME_RE.test(name)) {
    invalid(
      `${field} must be 1 to ${NAME_MAX} characters of A-Z a-z 0-9 _ . - not starting with - or ., got ${JSON.stringify(name)}`,
    );
  }
  return name;
}

function optionalBoolean(value: unknown, field: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') invalid(`${field} must be true or false`);
  return value;
}

// ---- policies ----

export interface PolicyInput {
  readonly name: unknown;
  readonly schedule: unknown;
  /** Default true. */
  readonly enabled?: unknown;
}

export interface PolicySpec {
  readonly name: string;
  readonly schedule: Schedule;
  readonly enabled: boolean;
}

export function validatePolicyInput(input: PolicyInput): PolicySpec {
  return {
    name: validateName(input.name, 'policy name'),
    schedule: validateSchedule(input.schedule),
    enabled: optionalBoolean(input.enabled, 'enabled', true),
  };
}

// ---- resources ----

/**
 * A domain (name or UUID as given; the service resolves it) and the chosen disks (null: all), or
 * a detached volume (`POOL/VOL` or a path; docs/backup-engine.md "Detached volumes").
 */
export type TaskResource =
  | { readonly domain: string; readonly disks: readonly string[] | null; readonly volume?: undefined }
  | { readonly volume: VolumeRef; readonly domain?: undefined };

/** A domain reference: a name or UUID, 1–255 characters, no `/` and no control characters. */
export function validateDomainRef(ref: unknown, field = 'domain'): string {
  if (
    typeof ref !== 'string' ||
    ref.length < 1 ||
    ref.length > DOMAIN_REF_MAX ||
    ref.includes('/') ||
    hasControlChar(ref)
  ) {
    invalid(`${field} must be a domain name or UUID, got ${JSON.stringify(ref)}`);
  }
  return ref;
}

/**
 * `--disk D:vdb` → `{ domain: 'D', disk: 'vdb' }`. Split at the last `:` (disk targets have no
 * `:`, domain names may).
 */
export function parseDiskSelection(text: unknown): { domain: string; disk: string } {
  const at = typeof text === 'string' ? text.lastIndexOf(':') : -1;
  if (typeof text !== 'string' || at < 1 || at === text.length - 1) {
    invalid(`disk selection must be DOMAIN:TARGET (e.g. web1:vdb), got ${JSON.stringify(text)}`);
  }
  const domain = validateDomainRef(text.slice(0, at), `domain of disk selection ${JSON.stringify(text)}`);
  try {
    return { domain, disk: validateDiskTarget(text.slice(at + 1)) };
  } catch {
    return invalid(`disk selection ${JSON.stringify(text)}: invalid disk target`);
  }
}

/**
 * Whole domains (`--domain D`) and disk selections (`--disk D:vdb`) → one resource per domain, in
 * the order given; the disks of one domain sorted; then the detached volumes (`--volume POOL/VOL`,
 * `--volume-path FILE`). A domain or volume listed twice, or a domain both whole and with chosen
 * disks, is an error (a domain may still be in several tasks).
 */
export function validateResources(
  domains: unknown = [],
  disks: unknown = [],
  volumes: unknown = [],
  volumePaths: unknown = [],
): TaskResource[] {
  for (const [list, field] of [
    [domains, 'domains'],
    [disks, 'disks'],
    [volumes, 'volumes'],
    [volumePaths, 'volumePaths'],
  ] as const) {
    if (!Array.isArray(list)) invalid(`${field} must be a list`);
  }
  const out = new Map<string, string[] | null>();
  (domains as unknown[]).forEach((d: unknown, i) => {
    const domain = validateDomainRef(d, `domains[${i}]`);
    if (out.has(domain)) invalid(`domain ${domain} is listed twice`);
    out.set(domain, null);
  });
  (disks as unknown[]).forEach((text: unknown) => {
    const { domain, disk } = parseDiskSelection(text);
    const chosen = out.get(domain);
    if (chosen === null) invalid(`domain ${domain} is listed whole and with chosen disks (${disk})`);
    if (chosen === undefined) out.set(domain, [disk]);
    else chosen.push(disk);
  });
  const vols: VolumeRef[] = [
    ...(volumes as unknown[]).map((v: unknown, i) => {
      if (typeof v !== 'string') invalid(`volumes[${i}] must be POOL/VOLUME, got ${JSON.stringify(v)}`);
      return parsePoolVolume(v);
    }),
    ...(volumePaths as unknown[]).map((p: unknown, i) => ({
      path: validateVolumePath(p, `volumePaths[${i}]`),
    })),
  ];
  const texts = vols.map(volumeRefText);
  const dupVol = texts.find((x, i) => texts.indexOf(x) !== i);
  if (dupVol !== undefined) invalid(`volume ${dupVol} is listed twice`);
  if (out.size + vols.length === 0) invalid('a task needs at least one domain, disk or volume');
  if (out.size + vols.length > MAX_TASK_RESOURCES)
    invalid(`a task may hold at most ${MAX_TASK_RESOURCES} domains and volumes`);
  return [
    ...[...out].map(([domain, chosen]) => ({
      domain,
      disks: chosen === null ? null : canonicalDiskSet(chosen),
    })),
    ...vols.map((volume) => ({ volume })),
  ];
}

// ---- receivers ----

export type Receiver =
  | { readonly kind: 'webhook'; readonly url: string }
  | { readonly kind: 'exec'; readonly path: string }
  | { readonly kind: 'journal' };

export const MAX_RECEIVER_LENGTH = 2048;

/** Why a webhook URL is unusable, or undefined when it is fine. */
export function webhookUrlProblem(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'not a valid URL';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'only http and https URLs';
  if (u.hostname === '') return 'the URL has no host';
  return undefined;
}

/** Why the program path of an exec receiver is unusable, or undefined when it is fine. */
export function execPathProblem(path: string): string | undefined {
  if (!path.startsWith('/')) return 'the program path must be absolute';
  if (hasControlChar(path)) return 'control characters in the path';
  if (path.split('/').some((seg) => seg === '..' || seg === '.')) return 'the path has . or .. parts';
  if (path.endsWith('/')) return 'the path names a directory';
  return undefined;
}

/** `webhook:http(s)://…`, `exec:/absolute/path` or `journal`: the one parser of receivers. */
export function parseReceiver(text: unknown): Receiver {
  const redacted = typeof text === 'string' ? redactReceiver(text) : text;
  const shown = typeof redacted === 'string' && redacted.length > 80 ? `${redacted.slice(0, 80)}…` : redacted;
  const bad = (why: string): never =>
    invalid(`receiver ${JSON.stringify(shown)}: ${why} (webhook:https://…, exec:/path or journal)`);
  if (typeof text !== 'string') return bad('not a string');
  if (text.length > MAX_RECEIVER_LENGTH) return bad(`longer than ${MAX_RECEIVER_LENGTH} characters`);
  if (/\s/.test(text) || hasControlChar(text)) return bad('contains whitespace or control characters');
  if (text === 'journal') return { kind: 'journal' };
  if (text.startsWith('webhook:')) {
    if (looksRedacted(text))
      return bad('has *** in place of a secret: give the full URL, not the one a view shows');
    const problem = webhookUrlProblem(text.slice('webhook:'.length));
    if (problem !== undefined) return bad(problem);
    return { kind: 'webhook', url: new URL(text.slice('webhook:'.length)).href };
  }
  if (text.startsWith('exec:')) {
    const path = text.slice('exec:'.length);
    const problem = execPathProblem(path);
    if (problem !== undefined) return bad(problem);
    return { kind: 'exec', path };
  }
  return bad('unknown kind');
}

export function formatReceiver(r: Receiver): string {
  return r.kind === 'journal' ? 'journal' : r.kind === 'webhook' ? `webhook:${r.url}` : `exec:${r.path}`;
}

export function validateReceivers(list: unknown = []): Receiver[] {
  if (!Array.isArray(list)) invalid('receivers must be a list');
  if (list.length > MAX_TASK_RECEIVERS) invalid(`a task may have at most ${MAX_TASK_RECEIVERS} receivers`);
  const receivers = list.map(parseReceiver);
  const seen = new Set<string>();
  for (const r of receivers) {
    const key = formatReceiver(r);
    if (seen.has(key)) invalid(`receiver ${redactReceiver(key)} is listed twice`);
    seen.add(key);
  }
  return receivers;
}

// ---- tasks ----

export interface TaskInput {
  readonly name: unknown;
  /** Whole domains (names or UUIDs). */
  readonly domains?: unknown;
  /** Disk selections `DOMAIN:TARGET`. */
  readonly disks?: unknown;
  /** Detached volumes: libvirt storage volumes `POOL/VOL`, and files (absolute paths). */
  readonly volumes?: unknown;
  readonly volumePaths?: unknown;
  /** Policy names, 1–8. */
  readonly policies: unknown;
  /** 1–30, default 30. */
  readonly chainLength?: unknown;
  /** `forever` (default) | `chains:N` | `count:N` | `days:N`. */
  readonly retention?: unknown;
  readonly receivers?: unknown;
  /** Default true. */
  readonly enabled?: unknown;
  /** Default false: verify each new point right after its backup. */
  readonly verifyAfter?: unknown;
  /** Target names each new point is copied to (default none; [] or null: none). */
  readonly copyTo?: unknown;
}

export interface TaskSpec {
  readonly name: string;
  readonly resources: TaskResource[];
  readonly policies: string[];
  readonly chainLength: number;
  readonly retention: Retention;
  readonly receivers: Receiver[];
  readonly enabled: boolean;
  readonly verifyAfter: boolean;
  /** Target names, in order. */
  readonly copyTo: string[];
}

export const MAX_TASK_TARGETS = 4;

function copyTargetsOf(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.length > MAX_TASK_TARGETS) {
    invalid(`copyTo must list at most ${MAX_TASK_TARGETS} target names`);
  }
  const names = value.map((n: unknown, i) => validateName(n, `copyTo[${i}]`));
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) invalid(`target ${dup} is listed twice in copyTo`);
  return names;
}

export function validateTaskPolicies(list: unknown): string[] {
  if (!Array.isArray(list) || list.length < MIN_TASK_POLICIES || list.length > MAX_TASK_POLICIES) {
    invalid(`policies must list ${MIN_TASK_POLICIES} to ${MAX_TASK_POLICIES} policy names`);
  }
  const names = list.map((n: unknown, i) => validateName(n, `policies[${i}]`));
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) invalid(`policy ${dup} is listed twice`);
  return names;
}

function chainLengthOf(value: unknown): number {
  if (value !== undefined && typeof value !== 'number') invalid('chainLength must be a number from 1 to 30');
  return validateChainLength(value);
}

function retentionOf(value: unknown): Retention {
  if (value === undefined) return { kind: 'forever' };
  if (typeof value !== 'string') invalid('retention must be a string such as count:7');
  return parseRetention(value);
}

export function validateTaskInput(input: TaskInput): TaskSpec {
  return {
    name: validateName(input.name, 'task name'),
    resources: validateResources(input.domains, input.disks, input.volumes, input.volumePaths),
    policies: validateTaskPolicies(input.policies),
    chainLength: chainLengthOf(input.chainLength),
    retention: retentionOf(input.retention),
    receivers: validateReceivers(input.receivers),
    enabled: optionalBoolean(input.enabled, 'enabled', true),
    verifyAfter: optionalBoolean(input.verifyAfter, 'verifyAfter', false),
    copyTo: copyTargetsOf(input.copyTo),
  };
}

export type TaskPatch = Partial<Omit<TaskInput, 'policies'>> & { readonly policies?: unknown };

/**
 * A task update: any field but the bound policies (create a new task for other policies). Only
 * the fields present are validated and returned; any of `domains`/`disks`/`volumes`/`volumePaths`
 * replaces all the resources.
 */
export function validateTaskPatch(patch: TaskPatch): Partial<Omit<TaskSpec, 'policies'>> {
  if (patch.policies !== undefined) {
    invalid('the policies of a task cannot be changed; create a new task with the other policies');
  }
  const out: { -readonly [K in keyof Omit<TaskSpec, 'policies'>]?: TaskSpec[K] } = {};
  if (patch.name !== undefined) out.name = validateName(patch.name, 'task name');
  const { domains, disks, volumes, volumePaths } = patch;
  if ([domains, disks, volumes, volumePaths].some((x) => x !== undefined)) {
    out.resources = validateResources(domains, disks, volumes, volumePaths);
  }
  if (patch.chainLength !== undefined) out.chainLength = chainLengthOf(patch.chainLength);
  if (patch.retention !== undefined) out.retention = retentionOf(patch.retention);
  if (patch.receivers !== undefined) out.receivers = validateReceivers(patch.receivers);
  if (patch.enabled !== undefined) out.enabled = optionalBoolean(patch.enabled, 'enabled', true);
  if (patch.verifyAfter !== undefined) {
    out.verifyAfter = optionalBoolean(patch.verifyAfter, 'verifyAfter', false);
  }
  if (patch.copyTo !== undefined) out.copyTo = copyTargetsOf(patch.copyTo);
  return out;
}

// ---- limits ----

/** Validates configured limits (positive integers); missing ones take the defaults. */
export function resolveLimits(config: Partial<Limits> = {}): Limits {
  const limits = { ...DEFAULT_LIMITS, ...config };
  for (const [key, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 1) invalid(`limit ${key} must be a positive integer`);
  }
  return limits;
}

export interface LimitCounts {
  /** Number of policies once the change is made. */
  readonly policies?: number;
  /** Per policy name: number of distinct domains bound to it once the change is made. */
  readonly domainsByPolicy?: Readonly<Record<string, number>>;
}

/** Throws INVALID_ARGUMENT when the counts after a change exceed the limits. */
export function checkLimits(counts: LimitCounts, limits: Limits = DEFAULT_LIMITS): void {
  if (counts.policies !== undefined && counts.policies > limits.maxPolicies) {
    invalid(`at most ${limits.maxPolicies} policies are allowed (the limit maxPolicies)`);
  }
  for (const [policy, n] of Object.entries(counts.domainsByPolicy ?? {})) {
    if (n > limits.maxDomainsPerPolicy) {
      invalid(
        `policy ${policy} would be bound to ${n} domains; at most ${limits.maxDomainsPerPolicy} are allowed (the limit maxDomainsPerPolicy)`,
      );
    }
  }
}
