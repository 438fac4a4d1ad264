/**
 * What shell completion knows, read from the same registry the parser uses (registry.ts): each
 * command's words, positionals and flags, recorded by running its `register` against a stand-in
 * for yargs that only notes `command`, `positional` and `option(s)` calls.
 */

import type { Argv } from 'yargs';

import type { Bind, GlobalArgs } from './context.js';
import type { CommandEntry } from './registry.js';

export interface CommandSpec {
  /** `['status']`, `['point', 'list']`. */
  readonly words: readonly string[];
  readonly positionals: readonly string[];
  /** `--domain`, and `--no-wait` for a boolean that defaults to true. */
  readonly flags: readonly string[];
  /** Flags that take no value. */
  readonly booleans: readonly string[];
}

export const GLOBAL_FLAGS = ['--socket', '--json', '--debug', '--utc', '--help'];
export const GLOBAL_BOOLEANS = ['--json', '--debug', '--utc', '--help'];

interface Recorded {
  positionals: string[];
  flags: string[];
  booleans: string[];
}

const kebab = (s: string): string => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

function note(out: Recorded, name: string, spec: unknown): void {
  const s = (spec ?? {}) as { type?: unknown; default?: unknown };
  const flag = `--${kebab(name)}`;
  out.flags.push(flag);
  if (s.type === 'boolean') {
    out.booleans.push(flag);
    if (s.default === true) {
      out.flags.push(`--no-${kebab(name)}`);
      out.booleans.push(`--no-${kebab(name)}`);
    }
  }
}

/** A stand-in for yargs' builder argument: every call returns it; option/positional calls are noted. */
function builderRecorder(out: Recorded): Argv<GlobalArgs> {
  const proxy: object = new Proxy(
    {},
    {
      get:
        (_t, prop) =>
        (...args: unknown[]) => {
          if (prop === 'positional') out.positionals.push(String(args[0]));
          else if (prop === 'option' && typeof args[0] === 'string') note(out, args[0], args[1]);
          else if (prop === 'options' && typeof args[0] === 'object' && args[0] !== null)
            for (const [k, v] of Object.entries(args[0])) note(out, k, v);
          return proxy;
        },
    },
  );
  return proxy as Argv<GlobalArgs>;
}

const noBind: Bind = () => () => undefined;

/** The commands one registry entry adds (usually one). */
function record(entry: CommandEntry, register: Awaited<ReturnType<CommandEntry['load']>>): CommandSpec[] {
  const specs: CommandSpec[] = [];
  const parent = entry.name.includes(' ') ? [entry.name.split(' ')[0] ?? ''] : [];
  const top: object = new Proxy(
    {},
    {
      get:
        (_t, prop) =>
        (...args: unknown[]) => {
          const names =
            typeof args[0] === 'string' ? [args[0]] : Array.isArray(args[0]) ? args[0].map(String) : [];
          if (prop === 'command' && names.length > 0) {
            const out: Recorded = { positionals: [], flags: [], booleans: [] };
            const builder = args[2];
            if (typeof builder === 'function')
              (builder as (b: Argv<GlobalArgs>) => unknown)(builderRecorder(out));
            // Aliases (`job wait|follow`) are commands of their own for completion.
            for (const n of names) specs.push({ words: [...parent, n.split(' ')[0] ?? ''], ...out });
          }
          return top;
        },
    },
  );
  register(top as Argv<GlobalArgs>, noBind);
  return specs;
}

/** Every command of the registry (all modules loaded), in registry order. */
export async function completionSpec(commands: readonly CommandEntry[]): Promise<CommandSpec[]> {
  const loaded = await Promise.all(commands.map(async (c) => ({ c, register: await c.load() })));
  return loaded.flatMap(({ c, register }) => record(c, register));
}
