/**
 * `virtpoint completion bash|zsh`: prints the shell completion script, built from the command
 * registry (completion-spec.ts, completion-script.ts). Needs no daemon.
 */

import type { Argv } from 'yargs';

import { bashScript, zshScript } from '../completion-script.js';
import { completionSpec } from '../completion-spec.js';
import type { Bind, GlobalArgs, Run } from '../context.js';
import { COMMANDS, type CommandEntry } from '../registry.js';

type Args = GlobalArgs & { shell: 'bash' | 'zsh' };

export const completion: Run<Args> = async (args, ctx) => {
  const specs = await completionSpec(WITH_COMPLETION);
  ctx.io.stdout.write(args.shell === 'zsh' ? zshScript(specs) : bashScript(specs));
  return 0;
};

/** Every command of the registry and this one (it is not in the registry: that would be a circle). */
const COMPLETION_ENTRY: CommandEntry = {
  name: 'completion',
  load: () => Promise.resolve(registerCompletion),
};
const WITH_COMPLETION: readonly CommandEntry[] = [...COMMANDS, COMPLETION_ENTRY];

export function registerCompletion(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'completion <shell>',
    'print the shell completion script (bash or zsh)',
    (b) =>
      b
        .positional('shell', { type: 'string', choices: ['bash', 'zsh'] as const, demandOption: true })
        .example('virtpoint completion bash > /etc/bash_completion.d/virtpoint', 'bash')
        .example('eval "$(virtpoint completion zsh)"', 'zsh (~/.zshrc)'),
    bind<Args>(completion),
  );
}
