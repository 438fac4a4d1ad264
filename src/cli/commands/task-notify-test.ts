/**
 * `virtpoint task notify-test NAME` (POST /v1/tasks/{name}/notify-test): sends the `test` event
 * (docs/notifications.md) to every receiver of the task and prints one line per receiver, `ok` or
 * `failed` with the coded error; exit 1 when any delivery failed. `--json` prints the answer.
 */

import type { Argv } from 'yargs';

import type { NotifyTestView } from '../../contract/index.js';
import { ERROR_CODES, VirtpointError, type ErrorCode } from '../../core/errors.js';
import type { Bind, GlobalArgs, Run } from '../context.js';
import { printJson, table } from '../output.js';
import { requiredRef } from '../validate.js';

type Args = GlobalArgs & { name: string };
type Result = NotifyTestView['results'][number];

const tries = (n: number): string => (n === 1 ? '1 try' : `${n} tries`);

export function renderNotifyTest(view: NotifyTestView): string {
  return table<Result>(view.results, [
    { header: 'RESULT', value: (r) => (r.ok ? 'ok' : 'failed') },
    { header: 'RECEIVER', value: (r) => r.receiver },
    {
      header: 'DETAIL',
      value: (r) =>
        `${tries(r.attempts)}, ${r.durationMs} ms` +
        (r.httpStatus === undefined ? '' : `, HTTP ${r.httpStatus}`) +
        (r.error === undefined ? '' : `: ${r.error.message} (${r.error.code})`),
    },
  ]);
}

export const taskNotifyTest: Run<Args> = async (args, ctx) => {
  const view = await ctx.client.post<NotifyTestView>(
    `/v1/tasks/${encodeURIComponent(args.name)}/notify-test`,
  );
  if (ctx.json) printJson(ctx.io.stdout, view);
  else ctx.io.stdout.write(renderNotifyTest(view));
  const failed = view.results.filter((r) => !r.ok);
  const first = failed[0];
  if (first === undefined) return 0;
  if (ctx.json) return 1;
  const code = first.error?.code;
  throw new VirtpointError(
    code !== undefined && (ERROR_CODES as readonly string[]).includes(code)
      ? (code as ErrorCode)
      : 'INTERNAL',
    `${failed.length} of ${view.results.length} receiver(s) of task ${view.task} failed the test; ` +
      `first ${first.receiver}: ${first.error?.message ?? 'no reason given'}`,
  );
};

export function registerTaskNotifyTest(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'notify-test <name>',
    "send a test notification to each of the task's receivers",
    (b) => b.positional('name', requiredRef('task', 'task name')),
    bind<Args>(taskNotifyTest),
  );
}
