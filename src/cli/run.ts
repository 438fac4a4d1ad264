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
import {
  COMMANDS,
  GROUPS,
  loadCommands,
  selectCommands,
  type CommandEntry,
  type LoadedCommand,
} from './registry.js';

export type { CliIo } from './context.js';

/** The registry and `completion`, which reads the registry (so it cannot be in it: a circle). */
const ALL_COMMANDS: readonly CommandEntry[] = [
  ...COMMANDS,
  { name: 'completion', load: async () => (await import('./commands/completion.js')).registerCompletion },
];

function buildParser(bind: Bind, commands: readonly LoadedCommand[]): Argv<GlobalArgs> {
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
  // Commands in registry order; a group goes where its first command is.
  const groups = new Map<string, LoadedCommand[]>();
  for (const c of commands) {
    const space = c.name.indexOf(' ');
    if (space < 0) {
      y = c.register(y, bind);
      continue;
    }
    const noun = c.name.slice(0, space);
    const verbs = groups.get(noun);
    if (verbs !== undefined) {
      verbs.push(c);
      continue;
    }
    const mine = [c];
    groups.set(noun, mine);
    y = y.command(`${noun} <command>`, GROUPS[noun] ?? `${noun} commands`, (sub) => {
      for (const v of mine) v.register(sub, bind);
      return sub.demandCommand(1, `name a ${noun} command (virtpoint ${noun} --help lists them)`);
    });
  }
  return y
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
    const commands = await loadCommands(selectCommands(argv, ALL_COMMANDS));
    await buildParser(bind, commands).parseAsync(argv, {}, (_err, _args, out) => {
      output = out;
    });
    if (output !== '') io.stdout.write(output.endsWith('\n') ? output : output + '\n');
    if (action === undefined) return 0; // --help, --version
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
