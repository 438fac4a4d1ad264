import test from 'ava';
import { access } from 'node:fs/promises';
import { withTestVm } from '../../helpers/test-vm.js';
import { virsh } from '../../helpers/virsh.js';
import { withEngine } from './backup-harness.js';

// Nothing a VM still uses is deleted (issue 12 §3), on real libvirt: a file that only a domain's
// persistent definition names — the domain shut off, or running without the disk in its live
// configuration (`virsh attach-disk … --config`) — is refused with IN_USE; and a point a full
// image was made from is protected (POINT_PROTECTED) until the image is deleted.

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/** Target devs of `name`'s disks: live, or (`inactive`) of the persistent definition. */
async function blockList(name: string, inactive: boolean): Promise<string> {
  return virsh(['domblklist', name, ...(inactive ? ['--inactive'] : [])]);
}

test('image and volume delete refuse (IN_USE) files named only by a persistent definition: of a shut-off domain, and a --config disk of a running one; a full image protects its point', async (t) => {
  const src = await withTestVm(t, {
    label: 'src',
    start: false,
    agent: false,
    disks: [{ sizeMiB: 16, fs: 'none' }],
  });
  const eng = await withEngine(t);
  const point = await eng.svc.backup({ domain: src.uuid });
  const img = await eng.images.createImage({ pointId: point.id, disk: 'vda', name: 'golden.qcow2' }, {});
  const vol = await eng.volumes.createVolume(
    { pointId: point.id, disk: 'vda', name: 'vol.qcow2', dir: eng.volumeDir, format: 'qcow2' },
    {},
  );
  const user = await withTestVm(t, {
    label: 'user',
    start: false,
    agent: false,
    disks: [{ sizeMiB: 16, fs: 'none' }],
  });

  // A shut-off domain: the image becomes a disk of its persistent definition.
  await virsh(['attach-disk', user.name, img.path, 'vdb', '--config', '--subdriver', 'qcow2']);
  t.is(await user.state(), 'shut off');
  const imgErr = await t.throwsAsync(eng.images.deleteImage(img.name), { code: 'IN_USE' });
  t.true(imgErr!.message.includes(user.name), imgErr!.message);
  t.true(await exists(img.path));

  // A full image protects the point it was made from: point and chain delete are refused.
  t.throws(() => eng.del.check(point.id, false), { code: 'POINT_PROTECTED', message: /golden\.qcow2/ });
  await t.throwsAsync(eng.del.deleteChain(point.chainId), { code: 'POINT_PROTECTED' });
  t.is(eng.catalog.getPoint(point.id)?.state, 'available');

  // Running (paused), the volume attached to the persistent definition only: not in the live XML.
  await virsh(['start', user.name, '--paused']);
  await virsh(['attach-disk', user.name, vol.path, 'vdc', '--config', '--subdriver', 'qcow2']);
  t.false((await blockList(user.name, false)).includes(vol.path), 'live XML lacks the --config disk');
  t.true((await blockList(user.name, true)).includes(vol.path));
  const volErr = await t.throwsAsync(eng.volumes.deleteVolume(vol.id), { code: 'IN_USE' });
  t.true(volErr!.message.includes(user.name), volErr!.message);
  t.true(await exists(vol.path));
  await t.throwsAsync(eng.images.deleteImage(img.name), { code: 'IN_USE' });

  // Detached everywhere: both go, and so can the point.
  await virsh(['destroy', user.name]);
  await virsh(['detach-disk', user.name, 'vdb', '--config']);
  await virsh(['detach-disk', user.name, 'vdc', '--config']);
  await eng.volumes.deleteVolume(vol.id);
  await eng.images.deleteImage(img.name);
  t.false(await exists(vol.path));
  t.false(await exists(img.path));
  await eng.del.deleteChain(point.chainId);
  t.is(eng.catalog.getPoint(point.id), null);
});
