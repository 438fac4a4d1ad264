#!/usr/bin/env node
/** The `virtpoint` bin: everything is in `runCli`; this only wires the process to it. */

import { runCli } from './run.js';

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  isTTY: process.stderr.isTTY === true,
});
