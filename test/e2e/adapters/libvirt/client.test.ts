import test from 'ava';
import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { LibvirtClient } from '../../../../src/adapters/libvirt/client.js';
import { isVirtpointError } from '../../../../src/core/errors.js';
import { runCommand } from '../../../../src/adapters/process/run-command.js';
import { fixtureDomainXml } from '../../../../vm-fixtures/domain-xml.js';
import { prepareRunDir, RUN_DIR, RUN_ID } from '../../../helpers/run-dir.js';
import { withTestVm } from '../../../helpers/test-vm.js';
import { removeDomain, virsh, virshMaybe } from '../../../helpers/virsh.js';
import { lifecycle, waitEvent, withHypervisor } from './helpers.js';

// Our libvirt client on the real libvirtd (qemu:///system) and real fixture VMs. virsh is only
// the independent oracle.

test('define, start paused, resume, destroy, start, destroy, undefine: states, lifecycle events, coded errors', async (t) => {
  const { kernel, initrd } = await prepareRunDir();
  const name = `${RUN_ID}-define-${process.pid}`;
  const dir = join(RUN_DIR, name);
  await mkdir(dir, { recursive: true, mode: 0o755 });
  t.teardown(async () => {
    await removeDomain(name);
    await rm(dir, { recursive: true, force: true });
  });
  const disk = join(dir, 'vda.qcow2');
  await runCommand(['qemu-img', 'create', '-q', '-f', 'qcow2', disk, '64M']);
  const uuid = randomUUID();
  const xml = fixtureDomainXml({
    name,
    uuid,
    kernel,
    initrd,
    disks: [{ target: 'vda', path: disk, format: 'qcow2' }],
  });
  const { hv, events } = await withHypervisor(t);

  const info = await hv.defineDomain(xml);
  t.is(info.uuid, uuid);
  t.is(info.name, name);
  t.is(info.state, 'shutoff');
  t.true(info.hasAgentChannel);
  t.like(info.disks[0], { target: 'vda', bus: 'virtio', device: 'disk', sourcePath: disk, format: 'qcow2' });
  t.is(await virsh(['domstate', name]), 'shut off');
  t.is((await hv.lookupDomain(name)).uuid, uuid, 'lookup by name');
  t.is((await hv.lookupDomain(uuid.toUpperCase())).name, name, 'lookup by UUID, any case');
  t.true((await hv.listDomains()).some((d) => d.uuid === uuid));
  t.regex(await hv.getDomainXml(uuid), new RegExp(`<name>${name}</name>`));

  await hv.startDomain(uuid, { paused: true });
  t.is(await hv.getDomainState(uuid), 'paused');
  t.is(await virsh(['domstate', name]), 'paused');
  const bi = await hv.getBlockInfo(uuid, 'vda');
  t.is(bi.capacity, 64 * 1024 * 1024);
  const noDisk = await t.throwsAsync(hv.getBlockInfo(uuid, 'vdz'));
  t.true(isVirtpointError(noDisk, 'DISK_NOT_FOUND'), String(noDisk));
  // A running domain cannot be started again: INVALID_STATE, libvirt's code kept.
  const again = await t.throwsAsync(hv.startDomain(uuid));
  t.true(isVirtpointError(again, 'INVALID_STATE'), String(again));
  t.is(typeof (again as { details?: { libvirtCode?: unknown } }).details?.libvirtCode, 'number');

  // Started paused: virDomainPausedReason USER, as virsh says; resumed, not paused at all.
  t.is(await hv.pausedReason(uuid), 'user');
  t.is(await virsh(['domstate', '--reason', name]), 'paused (user)');
  await hv.resumeDomain(uuid);
  t.is(await hv.getDomainState(uuid), 'running');
  t.is(await hv.pausedReason(uuid), null);
  const notPaused = await t.throwsAsync(hv.resumeDomain(uuid));
  t.true(isVirtpointError(notPaused, 'INVALID_STATE'), String(notPaused));

  await hv.destroyDomain(uuid);
  t.is(await hv.getDomainState(uuid), 'shutoff');
  await hv.startDomain(uuid);
  t.is(await hv.getDomainState(uuid), 'running');
  t.is(await virsh(['domstate', name]), 'running');
  await hv.destroyDomain(uuid);
  t.is(await virsh(['domstate', name]), 'shut off');

  await hv.undefineDomain(uuid);
  t.is(await virshMaybe(['domstate', name]), null, 'gone for virsh too');
  for (const call of [hv.getDomainState(uuid), hv.lookupDomain(name), hv.lookupDomain(uuid)]) {
    const err = await t.throwsAsync(call);
    t.true(isVirtpointError(err, 'DOMAIN_NOT_FOUND'), String(err));
  }
  await waitEvent(
    events,
    (e): e is typeof e => e.kind === 'lifecycle' && e.domainUuid === uuid && e.event === 'undefined',
    10_000,
    'undefined',
  );
  // libvirt's own order: a paused start is started+suspended; a plain start is resumed+started;
  // destroy reports QEMU's shutdown, then stopped.
  t.deepEqual(lifecycle(events, uuid), [
    'defined',
    'started',
    'suspended',
    'resumed',
    'shutdown',
    'stopped',
    'resumed',
    'started',
    'shutdown',
    'stopped',
    'undefined',
  ]);
});

test('guest agent through agentCommand (ping, guest-exec) and freeze/thaw, seen by guest-fsfreeze-status', async (t) => {
  const vm = await withTestVm(t, { disks: [{ sizeMiB: 64 }, { sizeMiB: 64, format: 'raw' }] });
  const { hv } = await withHypervisor(t);
  t.deepEqual(JSON.parse(await hv.agentCommand(vm.uuid, '{"execute":"guest-ping"}', 10_000)), {
    return: {},
  });

  const exec = JSON.parse(
    await hv.agentCommand(
      vm.uuid,
      JSON.stringify({
        execute: 'guest-exec',
        arguments: {
          path: '/bin/sh',
          arg: ['-c', 'echo hello-$((6*7)); echo oops >&2; exit 3'],
          'capture-output': true,
        },
      }),
      10_000,
    ),
  ) as { return: { pid: number } };
  t.true(exec.return.pid > 0);
  let status: { exited: boolean; exitcode?: number; 'out-data'?: string; 'err-data'?: string } = {
    exited: false,
  };
  const deadline = Date.now() + 60_000;
  while (!status.exited && Date.now() < deadline) {
    const cmd = JSON.stringify({ execute: 'guest-exec-status', arguments: { pid: exec.return.pid } });
    status = (JSON.parse(await hv.agentCommand(vm.uuid, cmd, 10_000)) as { return: typeof status }).return;
    if (!status.exited) await new Promise((r) => setTimeout(r, 100));
  }
  t.true(status.exited);
  t.is(status.exitcode, 3);
  t.is(Buffer.from(status['out-data'] ?? '', 'base64').toString(), 'hello-42\n');
  t.is(Buffer.from(status['err-data'] ?? '', 'base64').toString(), 'oops\n');

  // An unknown agent command: the agent's error comes back as a coded error, not a hang.
  const bad = await t.throwsAsync(hv.agentCommand(vm.uuid, '{"execute":"no-such-command"}', 10_000));
  t.true(isVirtpointError(bad), String(bad));

  t.is(await vm.agent.fsfreezeStatus(), 'thawed');
  const frozen = await hv.freezeFilesystems(vm.uuid, 30_000);
  try {
    t.is(frozen, 2, 'both ext4 filesystems (/mnt/vda, /mnt/vdb) frozen');
    t.is(await vm.agent.fsfreezeStatus(), 'frozen', 'virsh oracle');
    t.deepEqual(JSON.parse(await hv.agentCommand(vm.uuid, '{"execute":"guest-fsfreeze-status"}', 10_000)), {
      return: 'frozen',
    });
  } finally {
    t.is(await hv.thawFilesystems(vm.uuid, 30_000), 2);
  }
  t.is(await vm.agent.fsfreezeStatus(), 'thawed');
  t.is(await hv.thawFilesystems(vm.uuid, 30_000), 0, 'thawing a thawed guest thaws nothing');
  // The guest still writes after the thaw.
  await vm.agent.sh('echo after > /mnt/vda/after-thaw && sync');

  // The raw client, too: lookups and the agent call.
  const c = await LibvirtClient.connect();
  t.teardown(() => c.close());
  const ref = await c.lookupDomainByUuid(vm.uuid);
  t.is(ref.name, vm.name);
  t.is((await c.getDomainState(ref)).state, 1);
  t.is(await c.agentCommand(ref, '{"execute":"guest-ping"}', 5_000), '{"return":{}}');

  await hv.shutdownDomain(vm.uuid, 'agent');
  const until = Date.now() + 60_000;
  while ((await hv.getDomainState(vm.uuid)) !== 'shutoff' && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 250));
  }
  t.is(await vm.state(), 'shut off');
  const down = await t.throwsAsync(hv.agentCommand(vm.uuid, '{"execute":"guest-ping"}', 5_000));
  t.true(
    isVirtpointError(down, 'INVALID_STATE') || isVirtpointError(down, 'AGENT_UNAVAILABLE'),
    String(down),
  );
});
