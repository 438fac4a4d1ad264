/**
 * `runCli`: parses argv with yargs, runs the chosen command against the API and returns the exit
 * code (0 ok, 1 failed, 2 usage error, 3 daemon unreachable). Never touches `process`, so the
 * tests run it in-process with captured output; `main.ts` is the only caller that exits.
 */

import yargs, { type Argv } from 'yargs';

import { toVirtpointError } from '../core/errors.js';
import { ApiClient } from './client.js';
import { timeZonesOf, withTimeZones } from './output.js';
import {
  DEFAULT_SOCKET,
  EXIT_FAILED,
  EXIT_INTERRUPTED,
  Interrupted,
  EXIT_UNREACHABLE,
  EXIT_USAGE,
  UsageError,
  type Bind,
  type CliIo,
  type Ctx,
  type GlobalArgs,
} from './context.js';
import { registerBackupCreate } from './commands/backup-create.js';
import { registerChainDelete } from './commands/chain-delete.js';
import { registerChainVerify } from './commands/chain-verify.js';
import { registerChainList } from './commands/chain-list.js';
import { registerDomainList } from './commands/domain-list.js';
import {
  registerChainShow,
  registerDomainShow,
  registerImageShow,
  registerVolumeShow,
} from './commands/resource-show.js';
import { registerJobCancel } from './commands/job-cancel.js';
import { registerJobDelete } from './commands/job-delete.js';
import { registerJobList } from './commands/job-list.js';
import { registerJobShow } from './commands/job-show.js';
import { registerJobWait } from './commands/job-wait.js';
import { registerPointDelete } from './commands/point-delete.js';
import { registerPointVerify } from './commands/point-verify.js';
import { registerPointList } from './commands/point-list.js';
import { registerPointShow } from './commands/point-show.js';
import { registerPolicyCreate } from './commands/policy-create.js';
import { registerPolicyList } from './commands/policy-list.js';
import { registerPolicyShow } from './commands/policy-show.js';
import { registerPolicyUpdate } from './commands/policy-update.js';
import { registerPolicyEnable } from './commands/policy-enable.js';
import { registerPolicyDisable } from './commands/policy-disable.js';
import { registerPolicyDelete } from './commands/policy-delete.js';
import { registerPolicyRun } from './commands/policy-run.js';
import { registerTaskCreate } from './commands/task-create.js';
import { registerTaskList } from './commands/task-list.js';
import { registerTaskShow } from './commands/task-show.js';
import { registerTaskUpdate } from './commands/task-update.js';
import { registerTaskEnable } from './commands/task-enable.js';
import { registerTaskDisable } from './commands/task-disable.js';
import { registerTaskDelete } from './commands/task-delete.js';
import { registerTaskRun } from './commands/task-run.js';
import { registerTaskHistory } from './commands/task-history.js';
import { registerStatusShow } from './commands/status-show.js';
import { registerCatalogRebuild } from './commands/catalog-rebuild.js';
import { registerDoctorShow } from './commands/doctor-show.js';
import { registerUsageShow } from './commands/usage-show.js';
import { registerRollback } from './commands/rollback.js';
import { registerVolumeCreate } from './commands/volume-create.js';
import { registerVolumeList } from './commands/volume-list.js';
import { registerVolumeDelete } from './commands/volume-delete.js';
import { registerVolumeRollback } from './commands/volume-rollback.js';
import { registerImageCreate } from './commands/image-create.js';
import { registerImageList } from './commands/image-list.js';
import { registerImageDelete } from './commands/image-delete.js';
import { registerTargetAdd } from './commands/target-add.js';
import { registerTargetList, registerTargetShow } from './commands/target-list.js';
import { registerTargetRemove } from './commands/target-remove.js';
import { registerPointMount } from './commands/point-mount.js';
import { registerPointUnmount } from './commands/point-unmount.js';
import { registerPointPartitions } from './commands/point-partitions.js';
import { registerPointExport } from './commands/point-export.js';
import { registerMountList } from './commands/mount-list.js';
import { registerDomainCreate } from './commands/domain-create.js';

export type { CliIo } from './context.js';

type Register = (y: Argv<GlobalArgs>, bind: Bind) => Argv<GlobalArgs>;

function group(y: Argv<GlobalArgs>, bind: Bind, noun: string, describe: string, verbs: Register[]) {
  return y.command(`${noun} <command>`, describe, (sub) => {
    for (const register of verbs) register(sub, bind);
    return sub.demandCommand(1, `name a ${noun} command (virtpoint ${noun} --help lists them)`);
  });
}

function buildParser(bind: Bind): Argv<GlobalArgs> {
  let y: Argv<GlobalArgs> = yargs()
    .scriptName('virtpoint')
    .usage('$0 <command> [options]\n\nBack up KVM domains through virtpointd.')
    .option('socket', {
      type: 'string',
      describe: `virtpointd's socket (env VIRTPOINT_SOCKET, default ${DEFAULT_SOCKET})`,
      global: true,
    })
    .option('json', {
      type: 'boolean',
      default: false,
      describe: 'print the API objects as JSON',
      global: true,
    })
    .option('debug', { type: 'boolean', default: false, describe: 'print stacks of errors', global: true })
    .option('utc', {
      type: 'boolean',
      default: false,
      describe: 'show times in UTC (default: local time with the zone; JSON is always UTC)',
      global: true,
    });
  y = registerStatusShow(y, bind);
  y = registerUsageShow(y, bind);
  y = registerDoctorShow(y, bind);
  y = group(y, bind, 'catalog', 'the catalog: rebuild it from the store', [registerCatalogRebuild]);
  y = registerBackupCreate(y, bind);
  y = registerRollback(y, bind);
  y = group(y, bind, 'domain', 'list and show domains, create one from a point', [
    registerDomainList,
    registerDomainShow,
    registerDomainCreate,
  ]);
  y = group(y, bind, 'point', 'list, show, verify, mount, export and delete points', [
    registerPointList,
    registerPointShow,
    registerPointVerify,
    registerPointDelete,
    registerPointMount,
    registerPointUnmount,
    registerPointPartitions,
    registerPointExport,
  ]);
  y = group(y, bind, 'mount', 'mounts and exports of points', [registerMountList]);
  y = group(y, bind, 'chain', 'list, show, verify and delete chains', [
    registerChainList,
    registerChainShow,
    registerChainVerify,
    registerChainDelete,
  ]);
  y = group(y, bind, 'job', 'list, follow, cancel and delete jobs', [
    registerJobList,
    registerJobShow,
    registerJobWait,
    registerJobCancel,
    registerJobDelete,
  ]);
  y = group(y, bind, 'policy', 'policies: when backup tasks run', [
    registerPolicyCreate,
    registerPolicyList,
    registerPolicyShow,
    registerPolicyUpdate,
    registerPolicyEnable,
    registerPolicyDisable,
    registerPolicyDelete,
    registerPolicyRun,
  ]);
  y = group(y, bind, 'task', 'backup tasks: what to back up, when, how long to keep', [
    registerTaskCreate,
    registerTaskList,
    registerTaskShow,
    registerTaskUpdate,
    registerTaskEnable,
    registerTaskDisable,
    registerTaskDelete,
    registerTaskRun,
    registerTaskHistory,
  ]);
  y = group(y, bind, 'volume', 'volumes made from points (pools, allowed directories)', [
    registerVolumeCreate,
    registerVolumeList,
    registerVolumeShow,
    registerVolumeDelete,
    registerVolumeRollback,
  ]);
  y = group(y, bind, 'image', 'images made from points (full or linked)', [
    registerImageCreate,
    registerImageList,
    registerImageShow,
    registerImageDelete,
  ]);
  y = group(y, bind, 'target', 'off-host targets for copies: S3 buckets, directories over SSH', [
    registerTargetAdd,
    registerTargetList,
    registerTargetShow,
    registerTargetRemove,
  ]);
  return y
    .completion('completion', 'print the shell completion script (bash/zsh)')
    .demandCommand(1, 'name a command (virtpoint --help lists them)')
    .recommendCommands()
    .strict()
    .help()
    .alias('h', 'help')
    .wrap(100)
    .exitProcess(false)
    .showHelpOnFail(false)
    .fail((msg, err) => {
      throw new UsageError((msg ?? err.message).replace(/\s*\n\s*/g, ' '));
    });
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let action: (() => Promise<number>) | undefined;
  let debug = argv.includes('--debug');
  const bind: Bind = (run) => (args) => {
    const g = args as GlobalArgs;
    action = () =>
      withTimeZones(timeZonesOf(g.utc, io.env), () => run(args as Parameters<typeof run>[0], makeCtx(g, io)));
  };
  try {
    let output = '';
    await buildParser(bind).parseAsync(argv, {}, (_err, _args, out) => {
      output = out;
    });
    if (output !== '') io.stdout.write(output.endsWith('\n') ? output : output + '\n');
    if (action === undefined) return 0; // --help, --version, completion
    return await action();
  } catch (e) {
    debug ||= io.env['VIRTPOINT_DEBUG'] === '1';
    return reportError(e, io, debug);
  }
}

function makeCtx(args: GlobalArgs, io: CliIo): Ctx {
  const socket = args.socket ?? nonEmpty(io.env['VIRTPOINT_SOCKET']) ?? DEFAULT_SOCKET;
  return { io, json: args.json, client: new ApiClient(socket) };
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === '' ? undefined : s;
}

/** `error: <message> (<CODE>)` on stderr, the stack only with --debug; returns the exit code. */
function reportError(e: unknown, io: CliIo, debug: boolean): number {
  if (e instanceof Interrupted) {
    io.stderr.write(`\n${e.message}\n`);
    return EXIT_INTERRUPTED;
  }
  if (e instanceof UsageError) {
    io.stderr.write(`error: ${e.message} (INVALID_ARGUMENT)\nsee: virtpoint --help\n`);
    if (debug && e.stack !== undefined) io.stderr.write(e.stack + '\n');
    return EXIT_USAGE;
  }
  const err = toVirtpointError(e);
  io.stderr.write(`error: ${err.message} (${err.code})\n`);
  if (debug && err.stack !== undefined) io.stderr.write(err.stack + '\n');
  return err.code === 'DAEMON_UNREACHABLE' ? EXIT_UNREACHABLE : EXIT_FAILED;
}
