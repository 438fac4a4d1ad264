#!/usr/bin/env node
/** The `virtpoint` bin: everything is in `runCli`; this only wires the process to it. */

import { runCli } from './run.js';

// Ctrl-C while a command waits on a job: the job continues in the daemon; the command says how
// to cancel it and exits 130 (src/cli/wait.ts). A second Ctrl-C ends the process at once.
const interrupted = new Promise<void>((resolve) =>
  process.once('SIGINT', () => {
    resolve();
    process.once('SIGINT', () => process.exit(130));
  }),
);

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  isTTY: process.stderr.isTTY === true,
  interrupted,
});
