import test from 'ava';
import { sha256FileInImage, sha256RangeInImage } from '../helpers/host-image.js';
import { withTestVm } from '../helpers/test-vm.js';
import { virsh } from '../helpers/virsh.js';

// Proves the e2e harness: a real 2-disk VM under libvirtd, data written through the guest agent,
// the same bytes read guest-side and host-side, freeze/thaw, cleanup.

test('a 2-disk fixture VM: seeded data on both disks reads the same in the guest and on the host', async (t) => {
  const vm = await withTestVm(t, { disks: [{ sizeMiB: 128 }, { sizeMiB: 64, fs: 'none' }] });
  t.log(`boot to agent ready: ${vm.bootToAgentMs} ms`);
  t.regex(await vm.agent.sh('cat /proc/mounts'), /\/dev\/vda \/mnt\/vda ext4/);

  const fileSha = await vm.agent.writeSeededFile('/mnt/vda/data/seed-1.bin', 'harness-1', 300 * 1024);
  const blockOffset = 4 * 1024 * 1024;
  const blockSha = await vm.agent.writeSeededBlocks('/dev/vdb', blockOffset, 'harness-2', 256 * 1024);

  t.is(await vm.agent.sha256File('/mnt/vda/data/seed-1.bin'), fileSha);
  t.is(await vm.agent.sha256Blocks('/dev/vdb', blockOffset, 256 * 1024), blockSha);

  await vm.shutdown();
  const [vda, vdb] = vm.disks;
  t.is(await sha256FileInImage(vda!.path, '/data/seed-1.bin'), fileSha);
  t.is(await sha256FileInImage(vda!.path, '/data/absent.bin'), null);
  t.is(await sha256RangeInImage(vdb!.path, blockOffset, 256 * 1024), blockSha);
  // The check can fail: a range next to the written one does not hold the data.
  t.not(await sha256RangeInImage(vdb!.path, blockOffset + 512, 256 * 1024), blockSha);
});

test('freeze and thaw through the guest agent', async (t) => {
  const vm = await withTestVm(t, { disks: [{}, {}] });
  t.is(await vm.agent.fsfreezeStatus(), 'thawed');
  const frozen = await vm.agent.command<number>('guest-fsfreeze-freeze');
  try {
    t.is(frozen, 2, 'both ext4 filesystems frozen');
    t.is(await vm.agent.fsfreezeStatus(), 'frozen');
  } finally {
    await vm.agent.command('guest-fsfreeze-thaw');
  }
  t.is(await vm.agent.fsfreezeStatus(), 'thawed');
  // A write goes through again once thawed.
  await vm.agent.writeSeededFile('/mnt/vdb/after-thaw.bin', 'thaw', 4096);
});

test('the VM is gone after remove()', async (t) => {
  const vm = await withTestVm(t, { agent: false, disks: [{ sizeMiB: 32 }] });
  t.is(await vm.state(), 'running');
  await vm.remove();
  const names = (await virsh(['list', '--all', '--name'])).split('\n');
  t.false(names.includes(vm.name));
});
