import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

import test from 'ava';

import type { DomainCreateResult, PointView } from '../../../src/contract/index.js';
import { withDaemon } from '../../helpers/daemon.js';
import { GuestAgent } from '../../helpers/guest-agent.js';
import { prepareRunDir, RUN_DIR, RUN_ID } from '../../helpers/run-dir.js';
import { withTestVm } from '../../helpers/test-vm.js';
import { removeDomain, virsh } from '../../helpers/virsh.js';

// domain create from a point on real VMs (docs/restore.md "A new domain from a point"): a copy
// beside the running original, then a linked copy after the original is undefined. One original
// VM for the file; every created domain, volume and image is removed in teardown, pass or fail.

test('domain create: a copy boots beside the running original with the point bytes; after undefine of the original, a linked copy too', async (t) => {
  await prepareRunDir();
  const vols = join(RUN_DIR, `dc-vols-${process.pid}`);
  await mkdir(vols, { recursive: true });
  const vm = await withTestVm(t, { label: 'dc', disks: [{ sizeMiB: 64 }] });
  const d = await withDaemon(t, { config: [`allowed_volume_dirs = ${vols}`] });
  const copies = [`${RUN_ID}-copy1`, `${RUN_ID}-copy2`];
  t.teardown(async () => {
    for (const c of copies) await removeDomain(c).catch((e: unknown) => t.log(`remove ${c}: ${String(e)}`));
    await rm(vols, { recursive: true, force: true });
  });

  const a1 = await vm.agent.writeSeededFile('/mnt/vda/a.bin', 'dc-a1', 256 * 1024);
  await d.json<PointView>(['backup', vm.name]);
  const b2 = await vm.agent.writeSeededFile('/mnt/vda/b.bin', 'dc-b2', 128 * 1024);
  const p2 = await d.json<PointView>(['backup', vm.name]);
  t.is(p2.kind, 'incremental');
  const a3 = await vm.agent.writeSeededFile('/mnt/vda/a.bin', 'dc-a3', 256 * 1024);

  const xml = await d.cli(['point', 'show', p2.id, '--xml']);
  t.is(xml.code, 0, xml.stderr);
  t.regex(xml.stdout, new RegExp(`<name>${vm.name}</name>`));

  // Beside the running original.
  const r1 = await d.json<DomainCreateResult>([
    'domain',
    'create',
    '--point',
    p2.id,
    '--as',
    copies[0]!,
    '--dir',
    vols,
    '--start',
  ]);
  t.like(r1, { name: copies[0], started: true, leftOut: [] });
  t.not(r1.uuid, vm.uuid);
  t.is(r1.disks[0]?.path, join(vols, `${copies[0]}-vda`));
  const c1 = new GuestAgent(copies[0]!);
  await c1.waitReady(180_000);
  t.is(await c1.sha256File('/mnt/vda/a.bin'), a1, 'the copy has the point bytes');
  t.is(await c1.sha256File('/mnt/vda/b.bin'), b2);
  t.is(await vm.agent.sha256File('/mnt/vda/a.bin'), a3, 'the original is unaffected');
  t.is((await virsh(['domstate', vm.name])).trim(), 'running');
  t.is(
    (await d.cli(['domain', 'create', '--point', p2.id, '--as', copies[0]!, '--dir', vols])).code,
    1,
    'name taken',
  );

  // The original shut down and undefined: the point's XML is enough. Linked overlays protect the point.
  await vm.destroy();
  await virsh(['undefine', vm.name, '--checkpoints-metadata']);
  const r2 = await d.json<DomainCreateResult>([
    'domain',
    'create',
    '--point',
    p2.id,
    '--as',
    copies[1]!,
    '--linked',
    '--start',
  ]);
  t.like(r2, { name: copies[1], started: true });
  t.is(r2.disks[0]?.image, `${copies[1]}-vda`);
  const c2 = new GuestAgent(copies[1]!);
  await c2.waitReady(180_000);
  t.is(await c2.sha256File('/mnt/vda/a.bin'), a1);
  const del = await d.cli(['point', 'delete', p2.id, '--yes']);
  t.is(del.code, 1);
  t.regex(del.stderr, /POINT_PROTECTED/);
  await removeDomain(copies[1]!);
  t.is((await d.cli(['image', 'delete', `${copies[1]}-vda`])).code, 0);
});
