/**
 * `virtpoint target add NAME (--s3 URL --bucket B [--prefix P] [--region R] --access-key-id K
 * --secret-key-file F | --ssh USER@HOST[:PORT]:/PATH --identity FILE --known-hosts FILE)
 * [--encrypt-key-file F] [--bwlimit 50M] [--retention forever|chains:N|days:N]`
 * (POST /v1/targets). Secrets go to the daemon as absolute paths of 0600 files, never as values.
 */

import { resolve } from 'node:path';
import type { Argv } from 'yargs';

import type { TargetAddInput, TargetView } from '../../contract/index.js';
import { UsageError, type Bind, type GlobalArgs, type Run } from '../context.js';
import { requiredRef } from '../validate.js';
import { printJson } from '../output.js';
import { renderTarget } from '../render-copies.js';

type Args = GlobalArgs & {
  name: string;
  s3?: string;
  bucket?: string;
  prefix?: string;
  region?: string;
  accessKeyId?: string;
  secretKeyFile?: string;
  ssh?: string;
  identity?: string;
  knownHosts?: string;
  encryptKeyFile?: string;
  bwlimit?: string;
  retention?: string;
  keepChains?: number;
  keepDays?: number;
};

function need(value: string | undefined, option: string, kind: string): string {
  if (value === undefined) throw new UsageError(`${kind} targets need ${option}`);
  return value;
}

export function targetAddInput(args: Args, cwd = process.cwd()): TargetAddInput {
  if ((args.s3 === undefined) === (args.ssh === undefined)) {
    throw new UsageError('give exactly one of --s3 URL or --ssh USER@HOST[:PORT]:/PATH');
  }
  const file = (p: string) => resolve(cwd, p);
  return {
    name: args.name,
    ...(args.s3 !== undefined
      ? {
          s3: {
            url: args.s3,
            bucket: need(args.bucket, '--bucket', 'S3'),
            accessKeyId: need(args.accessKeyId, '--access-key-id', 'S3'),
            secretKeyFile: file(need(args.secretKeyFile, '--secret-key-file', 'S3')),
            ...(args.prefix === undefined ? {} : { prefix: args.prefix }),
            ...(args.region === undefined ? {} : { region: args.region }),
          },
        }
      : {
          ssh: {
            url: args.ssh!,
            identityFile: file(need(args.identity, '--identity', 'SSH')),
            knownHostsFile: file(need(args.knownHosts, '--known-hosts', 'SSH')),
          },
        }),
    ...(args.encryptKeyFile === undefined ? {} : { encryptKeyFile: file(args.encryptKeyFile) }),
    ...(args.bwlimit === undefined ? {} : { bwlimit: args.bwlimit }),
    ...retentionOf(args),
  };
}

/** `--keep-chains N` | `--keep-days N` | `--retention SPEC`: at most one (docs/copies.md "Remote retention"). */
function retentionOf(args: Args): { retention?: string } {
  const given = [args.retention, args.keepChains, args.keepDays].filter((x) => x !== undefined);
  if (given.length > 1)
    throw new UsageError('give at most one of --keep-chains, --keep-days and --retention');
  if (args.keepChains !== undefined) return { retention: `chains:${args.keepChains}` };
  if (args.keepDays !== undefined) return { retention: `days:${args.keepDays}` };
  return args.retention === undefined ? {} : { retention: args.retention };
}

export const targetAdd: Run<Args> = async (args, ctx) => {
  const target = await ctx.client.post<TargetView>('/v1/targets', targetAddInput(args));
  if (ctx.json) printJson(ctx.io.stdout, target);
  else ctx.io.stdout.write(renderTarget(target));
  return 0;
};

export function registerTargetAdd(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  const s = (describe: string) => ({ type: 'string' as const, describe });
  return y.command(
    'add <name>',
    'add an off-host target: an S3 bucket or a directory over SSH',
    (b) =>
      b
        .positional('name', requiredRef('target', 'target name'))
        .option('s3', s('S3 endpoint URL, e.g. http://127.0.0.1:7480'))
        .option('bucket', s('S3 bucket'))
        .option('prefix', s('S3 object name prefix'))
        .option('region', s('S3 region (default us-east-1)'))
        .option('access-key-id', s('S3 access key id'))
        .option('secret-key-file', s('file holding the S3 secret key (0600)'))
        .option('ssh', s('USER@HOST[:PORT]:/PATH'))
        .option('identity', s('SSH private key file (0600)'))
        .option('known-hosts', s('known_hosts file with the host key to pin'))
        .option('encrypt-key-file', s('32 random bytes (0600): encrypt copies client-side'))
        .option('bwlimit', s('bandwidth limit, e.g. 50M (bytes per second)'))
        .option('retention', s('remote retention: forever (default), chains:N or days:N'))
        .option('keep-chains', {
          type: 'number',
          describe: "remote retention: keep this host's N newest chains per domain",
        })
        .option('keep-days', {
          type: 'number',
          describe: 'remote retention: drop chains whose newest point is older than N days',
        }),
    bind<Args>(targetAdd),
  );
}
