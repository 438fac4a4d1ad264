/**
 * `virtpoint target test NAME` (POST /v1/targets/{name}/test): writes, reads back and deletes a
 * probe object on the target; prints the round-trip latency and the write/read throughput.
 */

import type { Argv } from 'yargs';

import type { TargetTestView } from '../../contract/index.js';
import type { Bind, GlobalArgs, Run } from '../context.js';
import { printJson } from '../output.js';

type Args = GlobalArgs & { name: string };

const MiB = 1024 * 1024;
const rate = (bps: number): string => `${(bps / MiB).toFixed(1)} MiB/s`;

export function renderTargetTest(v: TargetTestView): string {
  return (
    `target ${v.target}: ok (probe of ${(v.bytes / MiB).toFixed(0)} MiB written, read back, deleted)\n` +
    `  latency  ${v.latencyMs} ms\n` +
    `  write    ${rate(v.writeBytesPerSecond)} (${v.writeMs} ms)\n` +
    `  read     ${rate(v.readBytesPerSecond)} (${v.readMs} ms)\n` +
    `  delete   ${v.deleteMs} ms\n`
  );
}

export const targetTest: Run<Args> = async (args, ctx) => {
  const v = await ctx.client.post<TargetTestView>(`/v1/targets/${encodeURIComponent(args.name)}/test`);
  if (ctx.json) printJson(ctx.io.stdout, v);
  else ctx.io.stdout.write(renderTargetTest(v));
  return 0;
};

export function registerTargetTest(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'test <name>',
    'write, read back and delete a probe object; print latency and throughput',
    (b) => b.positional('name', { type: 'string', demandOption: true, describe: 'target name' }),
    bind<Args>(targetTest),
  );
}
