/**
 * `virtpoint completion bash|zsh`: prints the shell completion script, built from the command
 * registry (completion-spec.ts, completion-script.ts). Needs no daemon.
 */

import type { Argv } from 'yargs';

import { bashScript, zshScript } from '../completion-script.js';
import { completionSpec } from '../completion-spec.js';
import type { Bind, GlobalArgs, Run } from '../context.js';

type Args = GlobalArgs & { shell: 'bash' | 'zsh' };

export const completion: Run<Args> = async (args, ctx) => {
  const specs = await completionSpec();
  ctx.io.stdout.write(args.shell === 'zsh' ? zshScript(specs) : bashScript(specs));
  return 0;
};

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
