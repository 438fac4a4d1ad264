/** `virtpoint status`: the daemon's version, libvirt connection and queue (GET /v1/status). */

import type { Argv } from 'yargs';

import type { StatusView } from '../../contract/index.js';
import type { Bind, GlobalArgs, Run } from '../context.js';
import { humanSize, humanTime, keyValues, printJson } from '../output.js';

export const statusShow: Run<GlobalArgs> = async (_args, ctx) => {
  const s = await ctx.client.get<StatusView>('/v1/status');
  if (ctx.json) printJson(ctx.io.stdout, s);
  else
    ctx.io.stdout.write(
      keyValues([
        ['version', s.version],
        ['libvirt', s.libvirtConnected ? 'connected' : 'disconnected'],
        ['queue', `${s.queue.running} running, ${s.queue.queued} queued`],
        ['store', s.storeRoot],
        ...(s.store && s.store.unknownFiles + s.store.badManifests + s.store.missingManifests > 0
          ? [
              [
                'store check',
                `${s.store.unknownFiles} unknown, ${s.store.badManifests} bad manifests, ${s.store.missingManifests} missing: virtpoint doctor`,
              ] as [string, string],
            ]
          : []),
        ...(s.space
          ? ([
              ['store free', s.space.storeFreeBytes === null ? 'unknown' : humanSize(s.space.storeFreeBytes)],
              ['catalog size', s.space.catalogBytes === null ? 'unknown' : humanSize(s.space.catalogBytes)],
            ] as [string, string][])
          : []),
        ['started', humanTime(s.startedAt)],
        ['socket', ctx.client.socketPath],
      ]),
    );
  return 0;
};

export function registerStatusShow(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command('status', "show the daemon's status", (b) => b, bind(statusShow));
}
