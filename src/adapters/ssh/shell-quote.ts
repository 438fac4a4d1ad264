/**
 * An argv as one command line for the remote shell (SSH exec always goes through the remote
 * user's shell): every word in single quotes, a `'` inside as `'\''`. Words that hold a NUL or a
 * newline are refused (the daemon only quotes paths it built itself from core/remote-layout.ts
 * keys and the target's configured path).
 */

import { VirtpointError } from '../../core/errors.js';

export function shellWord(word: string): string {
  if (/[\0\n\r]/.test(word)) {
    throw new VirtpointError('INTERNAL', `refusing to quote ${JSON.stringify(word)} for the remote shell`);
  }
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export function shellCommand(argv: readonly string[]): string {
  if (argv.length === 0) throw new VirtpointError('INTERNAL', 'empty remote command');
  return argv.map(shellWord).join(' ');
}
