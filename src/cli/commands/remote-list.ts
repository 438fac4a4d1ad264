/**
 * `virtpoint remote list NAME [--domain D] [--host H]` (GET /v1/targets/{name}/points) and
 * `virtpoint remote verify NAME [--point ID]` (POST /v1/targets/{name}/verify; exit 1 when a file
 * does not match its manifest). Both read the target's manifests alone: a fresh host works.
 */

import type { Argv } from 'yargs';

import type { RemoteListResult, RemotePointView, RemoteVerifyResult } from '../../contract/index.js';
import type { Bind, GlobalArgs, Run } from '../context.js';
import { printJson, table, type Column } from '../output.js';

const REMOTE_COLUMNS: readonly Column<RemotePointView>[] = [
  { header: 'POINT', value: (p) => p.pointId },
  { header: 'DOMAIN', value: (p) => (p.volume ? `volume ${p.domainName}` : p.domainName) },
  { header: 'HOST', value: (p) => p.hostName ?? p.hostId },
  { header: 'CHAIN', value: (p) => p.chainId },
  { header: 'SEQ', value: (p) => String(p.seq), align: 'right' },
  { header: 'KIND', value: (p) => p.kind },
  { header: 'CREATED', value: (p) => p.createdAt },
  { header: 'COMPLETE', value: (p) => (p.complete ? 'yes' : `no (${p.missing.length} missing)`) },
];

type ListArgs = GlobalArgs & { name: string; domain?: string; host?: string };

export const remoteList: Run<ListArgs> = async (args, ctx) => {
  const q = new URLSearchParams();
  if (args.domain !== undefined) q.set('domain', args.domain);
  if (args.host !== undefined) q.set('host', args.host);
  const qs = q.size > 0 ? `?${q.toString()}` : '';
  const r = await ctx.client.get<RemoteListResult>(
    `/v1/targets/${encodeURIComponent(args.name)}/points${qs}`,
  );
  if (ctx.json) {
    printJson(ctx.io.stdout, r);
    return 0;
  }
  if (r.points.length === 0)
    ctx.io.stdout.write(`no points on ${r.target} (virtpoint point copy ID --to ${r.target})\n`);
  else ctx.io.stdout.write(table(r.points, REMOTE_COLUMNS));
  for (const u of r.unreadable) ctx.io.stderr.write(`warning: ${u.key}: ${u.message} (${u.code})\n`);
  return 0;
};

type VerifyArgs = GlobalArgs & { name: string; point?: string };

export const remoteVerify: Run<VerifyArgs> = async (args, ctx) => {
  const body = args.point === undefined ? {} : { point: args.point };
  const r = await ctx.client.post<RemoteVerifyResult>(
    `/v1/targets/${encodeURIComponent(args.name)}/verify`,
    body,
  );
  if (ctx.json) printJson(ctx.io.stdout, r);
  else {
    for (const p of r.points) {
      ctx.io.stdout.write(
        `${p.pointId}  ${p.domainName}  chain ${p.chainId} seq ${p.seq}  ${p.ok ? 'ok' : 'MISMATCH'}\n`,
      );
      for (const f of p.files.filter((x) => x.state !== 'ok'))
        ctx.io.stdout.write(`  ${f.state}  ${f.key}${f.detail === null ? '' : `: ${f.detail}`}\n`);
    }
    ctx.io.stdout.write(
      r.ok
        ? `all ${r.points.length} points match their manifests\n`
        : 'some files do not match their manifests\n',
    );
  }
  return r.ok ? 0 : 1;
};

export function registerRemoteList(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'list <name>',
    "list the points on a target (any host's), from their manifests",
    (b) =>
      b
        .positional('name', { type: 'string', demandOption: true, describe: 'target name' })
        .option('domain', { type: 'string', describe: 'only this domain (name or UUID at backup time)' })
        .option('host', { type: 'string', describe: 'only points copied by this host (name or id)' }),
    bind<ListArgs>(remoteList),
  );
}

export function registerRemoteVerify(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'verify <name>',
    "re-read a target's files and compare them with the manifests (exit 1 on a mismatch)",
    (b) =>
      b
        .positional('name', { type: 'string', demandOption: true, describe: 'target name' })
        .option('point', { type: 'string', describe: 'only this point (with its ancestors)' }),
    bind<VerifyArgs>(remoteVerify),
  );
}
