/**
 * What every command gets: the captured streams, the parsed global flags and the API client.
 * Commands never touch `process`: `runCli` is run in-process by the tests.
 */

import type { ApiClient } from './client.js';

export interface TextSink {
  write(chunk: string): unknown;
}

export interface CliIo {
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Whether stderr is a terminal: a redrawn progress bar instead of plain progress lines. */
  readonly isTTY: boolean;
  /** Least time between two plain progress lines (not a TTY); default 5000 ms. */
  readonly progressIntervalMs?: number;
  /** Settles when the user presses Ctrl-C (SIGINT): a command waiting on a job stops waiting. */
  readonly interrupted?: Promise<void>;
}

export interface GlobalArgs {
  socket?: string;
  json: boolean;
  debug: boolean;
  utc: boolean;
}

export interface Ctx {
  readonly io: CliIo;
  readonly json: boolean;
  readonly client: ApiClient;
}

/** A command's work, run after yargs has parsed and validated the argv; resolves to the exit code. */
export type Run<A> = (args: A, ctx: Ctx) => Promise<number>;

/**
 * Turns a command's `Run` into a yargs handler that only records what to run. The handler takes
 * the parsed argv as yargs built it (the command's builder declares the same fields as `A`).
 */
export type Bind = <A>(run: Run<A>) => (args: unknown) => void;

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
export const EXIT_UNREACHABLE = 3;

export const EXIT_INTERRUPTED = 130;

/** Ctrl-C while waiting on a job: the job goes on; exit 130 with how to cancel it. */
export class Interrupted extends Error {
  override readonly name = 'Interrupted';
}

/** A bad flag value found by a command itself (exit 2), as opposed to an error from the API (exit 1). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const DEFAULT_SOCKET = '/run/virtpoint/virtpoint.sock';
