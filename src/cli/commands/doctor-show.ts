/**
 * `virtpoint doctor` (GET /v1/doctor): the preflight checks (libvirt and QEMU versions, the store
 * reachable by the QEMU user, free space, each domain's agent and disk format, the clock; each
 * line `ok`/`warn`/`fail`), then the store compared with the catalog, changing nothing —
 * entries the catalog does not know (left in place), bad or missing manifests, the daemon's own
 * leftovers, the catalog backups. Exit 0 when all is well, 1 when a check fails or the store reports something.
 */

import type { Argv } from 'yargs';

import type { DoctorView } from '../../contract/index.js';
import type { Bind, GlobalArgs, Run } from '../context.js';
import { printJson } from '../output.js';

export const doctorShow: Run<GlobalArgs> = async (_args, ctx) => {
  const d = await ctx.client.get<DoctorView>('/v1/doctor');
  if (ctx.json) {
    printJson(ctx.io.stdout, d);
    return d.ok ? 0 : 1;
  }
  const out = (s: string) => ctx.io.stdout.write(`${s}\n`);
  // `?? []`: a daemon from before the preflight checks answers without them.
  for (const c of d.checks ?? []) out(`${c.status.padEnd(4)}  ${c.name}: ${c.message}`);
  out(
    `catalog: ${d.catalog.empty ? 'empty' : 'holds points'}; backups: ${d.catalog.backups.join(', ') || 'none'}`,
  );
  for (const u of d.store.unknown) out(`unknown ${u.path}: ${u.reason} (left in place)`);
  for (const b of d.store.badManifests) out(`bad manifest ${b.path}: ${b.reason}`);
  for (const id of d.store.missingManifests) out(`point ${id} has no manifest (the next start writes it)`);
  for (const l of d.store.leftovers) out(`leftover ${l} (removed at the next start)`);
  if (d.store.unknown.length > 0 && d.catalog.empty)
    out('the catalog is empty but the store is not: virtpoint catalog rebuild (docs/recovery.md)');
  if (d.ok) out('ok: the host passes the preflight checks; the store and the catalog agree');
  return d.ok ? 0 : 1;
};

export function registerDoctorShow(y: Argv<GlobalArgs>, bind: Bind): Argv<GlobalArgs> {
  return y.command(
    'doctor',
    'check the host (libvirt, QEMU, store access, space, agents, disks, clock) and compare the store with the catalog (changes nothing)',
    (b) => b,
    bind(doctorShow),
  );
}
