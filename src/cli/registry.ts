/**
 * Every `virtpoint` command, as a list of `{ name, load }` entries: `name` is the words that pick
 * the command (`status`, `point list`), `load` imports the command's module only when the command
 * runs (`runCli` loads just the entries argv selects: `virtpoint status` loads one module; `--help`
 * and anything unknown load them all). The parser and `virtpoint completion` read this one list.
 *
 * Adding a command: one line in COMMANDS, in the place it should appear in `--help`
 * (a new noun also needs its line in GROUPS).
 */

import type { Argv } from 'yargs';

import type { Bind, GlobalArgs } from './context.js';

/** A command module's registration: adds its yargs command to `y`. */
export type Register = (y: Argv<GlobalArgs>, bind: Bind) => Argv<GlobalArgs>;

export interface CommandEntry {
  /** `status`, or `NOUN VERB` for a command of a group (`point list`). */
  readonly name: string;
  readonly load: () => Promise<Register>;
}

/** The nouns whose commands are grouped (`virtpoint point list`), with their --help line. */
export const GROUPS: Readonly<Record<string, string>> = {
  catalog: 'the catalog: rebuild it from the store',
  domain: 'list and show domains, create one from a point',
  point: 'list, show, verify, copy, mount, export and delete points',
  mount: 'mounts and exports of points',
  chain: 'list, show, verify, copy and delete chains',
  job: 'list, follow, cancel and delete jobs',
  policy: 'policies: when backup tasks run',
  task: 'backup tasks: what to back up, when, how long to keep',
  volume: 'volumes made from points (pools, allowed directories)',
  image: 'images made from points (full or linked)',
  target: 'off-host targets for copies: S3 buckets, directories over SSH',
  remote: 'points on a target: list, verify, restore a VM from one',
};

// prettier-ignore
export const COMMANDS: readonly CommandEntry[] = [
  { name: 'status', load: async () => (await import('./commands/status-show.js')).registerStatusShow },
  { name: 'usage', load: async () => (await import('./commands/usage-show.js')).registerUsageShow },
  { name: 'doctor', load: async () => (await import('./commands/doctor-show.js')).registerDoctorShow },
  { name: 'catalog rebuild', load: async () => (await import('./commands/catalog-rebuild.js')).registerCatalogRebuild },
  { name: 'backup', load: async () => (await import('./commands/backup-create.js')).registerBackupCreate },
  { name: 'rollback', load: async () => (await import('./commands/rollback.js')).registerRollback },
  { name: 'domain list', load: async () => (await import('./commands/domain-list.js')).registerDomainList },
  { name: 'domain show', load: async () => (await import('./commands/resource-show.js')).registerDomainShow },
  { name: 'domain create', load: async () => (await import('./commands/domain-create.js')).registerDomainCreate },
  { name: 'point list', load: async () => (await import('./commands/point-list.js')).registerPointList },
  { name: 'point show', load: async () => (await import('./commands/point-show.js')).registerPointShow },
  { name: 'point verify', load: async () => (await import('./commands/point-verify.js')).registerPointVerify },
  { name: 'point copy', load: async () => (await import('./commands/point-copy.js')).registerPointCopy },
  { name: 'point delete', load: async () => (await import('./commands/point-delete.js')).registerPointDelete },
  { name: 'point mount', load: async () => (await import('./commands/point-mount.js')).registerPointMount },
  { name: 'point unmount', load: async () => (await import('./commands/point-unmount.js')).registerPointUnmount },
  { name: 'point partitions', load: async () => (await import('./commands/point-partitions.js')).registerPointPartitions },
  { name: 'point export', load: async () => (await import('./commands/point-export.js')).registerPointExport },
  { name: 'mount list', load: async () => (await import('./commands/mount-list.js')).registerMountList },
  { name: 'chain list', load: async () => (await import('./commands/chain-list.js')).registerChainList },
  { name: 'chain show', load: async () => (await import('./commands/resource-show.js')).registerChainShow },
  { name: 'chain verify', load: async () => (await import('./commands/chain-verify.js')).registerChainVerify },
  { name: 'chain copy', load: async () => (await import('./commands/point-copy.js')).registerChainCopy },
  { name: 'chain delete', load: async () => (await import('./commands/chain-delete.js')).registerChainDelete },
  { name: 'job list', load: async () => (await import('./commands/job-list.js')).registerJobList },
  { name: 'job show', load: async () => (await import('./commands/job-show.js')).registerJobShow },
  { name: 'job wait', load: async () => (await import('./commands/job-wait.js')).registerJobWait },
  { name: 'job cancel', load: async () => (await import('./commands/job-cancel.js')).registerJobCancel },
  { name: 'job delete', load: async () => (await import('./commands/job-delete.js')).registerJobDelete },
  { name: 'policy create', load: async () => (await import('./commands/policy-create.js')).registerPolicyCreate },
  { name: 'policy list', load: async () => (await import('./commands/policy-list.js')).registerPolicyList },
  { name: 'policy show', load: async () => (await import('./commands/policy-show.js')).registerPolicyShow },
  { name: 'policy update', load: async () => (await import('./commands/policy-update.js')).registerPolicyUpdate },
  { name: 'policy enable', load: async () => (await import('./commands/policy-enable.js')).registerPolicyEnable },
  { name: 'policy disable', load: async () => (await import('./commands/policy-disable.js')).registerPolicyDisable },
  { name: 'policy delete', load: async () => (await import('./commands/policy-delete.js')).registerPolicyDelete },
  { name: 'policy run', load: async () => (await import('./commands/policy-run.js')).registerPolicyRun },
  { name: 'task create', load: async () => (await import('./commands/task-create.js')).registerTaskCreate },
  { name: 'task list', load: async () => (await import('./commands/task-list.js')).registerTaskList },
  { name: 'task show', load: async () => (await import('./commands/task-show.js')).registerTaskShow },
  { name: 'task update', load: async () => (await import('./commands/task-update.js')).registerTaskUpdate },
  { name: 'task enable', load: async () => (await import('./commands/task-enable.js')).registerTaskEnable },
  { name: 'task disable', load: async () => (await import('./commands/task-disable.js')).registerTaskDisable },
  { name: 'task delete', load: async () => (await import('./commands/task-delete.js')).registerTaskDelete },
  { name: 'task run', load: async () => (await import('./commands/task-run.js')).registerTaskRun },
  { name: 'task notify-test', load: async () => (await import('./commands/task-notify-test.js')).registerTaskNotifyTest },
  { name: 'task history', load: async () => (await import('./commands/task-history.js')).registerTaskHistory },
  { name: 'volume create', load: async () => (await import('./commands/volume-create.js')).registerVolumeCreate },
  { name: 'volume list', load: async () => (await import('./commands/volume-list.js')).registerVolumeList },
  { name: 'volume show', load: async () => (await import('./commands/resource-show.js')).registerVolumeShow },
  { name: 'volume delete', load: async () => (await import('./commands/volume-delete.js')).registerVolumeDelete },
  { name: 'volume rollback', load: async () => (await import('./commands/volume-rollback.js')).registerVolumeRollback },
  { name: 'image create', load: async () => (await import('./commands/image-create.js')).registerImageCreate },
  { name: 'image list', load: async () => (await import('./commands/image-list.js')).registerImageList },
  { name: 'image show', load: async () => (await import('./commands/resource-show.js')).registerImageShow },
  { name: 'image delete', load: async () => (await import('./commands/image-delete.js')).registerImageDelete },
  { name: 'target add', load: async () => (await import('./commands/target-add.js')).registerTargetAdd },
  { name: 'target list', load: async () => (await import('./commands/target-list.js')).registerTargetList },
  { name: 'target show', load: async () => (await import('./commands/target-list.js')).registerTargetShow },
  { name: 'target remove', load: async () => (await import('./commands/target-remove.js')).registerTargetRemove },
  { name: 'target test', load: async () => (await import('./commands/target-test.js')).registerTargetTest },
  { name: 'target prune', load: async () => (await import('./commands/target-prune.js')).registerTargetPrune },
  { name: 'remote list', load: async () => (await import('./commands/remote-list.js')).registerRemoteList },
  { name: 'remote restore', load: async () => (await import('./commands/remote-restore.js')).registerRemoteRestore },
  { name: 'remote verify', load: async () => (await import('./commands/remote-list.js')).registerRemoteVerify },
];

/** Global flags that take a value: the word after them is not a command word. */
const GLOBAL_VALUE_FLAGS: ReadonlySet<string> = new Set(['--socket']);

/** The words of argv that are not flags (nor a global flag's value), in order. */
function commandWords(argv: readonly string[]): string[] {
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--') break;
    if (a.startsWith('-')) {
      if (GLOBAL_VALUE_FLAGS.has(a)) i++;
      continue;
    }
    words.push(a);
  }
  return words;
}

/**
 * The entries argv runs: the one command it names (`status`, `point list`), every command of the
 * group it names without a known verb (`point`, `point lst`), else all (no command: `--help`; an
 * unknown command: yargs then suggests the nearest).
 */
export function selectCommands(
  argv: readonly string[],
  commands: readonly CommandEntry[] = COMMANDS,
): readonly CommandEntry[] {
  const [noun, verb] = commandWords(argv);
  if (noun === undefined) return commands;
  const top = commands.filter((c) => c.name === noun);
  if (top.length > 0) return top;
  if (verb !== undefined) {
    const exact = commands.filter((c) => c.name === `${noun} ${verb}`);
    if (exact.length > 0) return exact;
  }
  const group = commands.filter((c) => c.name.startsWith(`${noun} `));
  return group.length > 0 ? group : commands;
}

export interface LoadedCommand {
  readonly name: string;
  readonly register: Register;
}

export function loadCommands(entries: readonly CommandEntry[]): Promise<LoadedCommand[]> {
  return Promise.all(entries.map(async (e) => ({ name: e.name, register: await e.load() })));
}
