import test, { type ExecutionContext } from 'ava';
import { access } from 'node:fs/promises';
import { withTestVm } from '../../helpers/test-vm.js';
import { virsh } from '../../helpers/virsh.js';
import { withEngine } from './backup-harness.js';

// Nothing a VM still uses is deleted (issue 12 §3), on real libvirt: a file that a domain's
// persistent definition names — the domain shut off, or running without the disk in its live
// configuration (`virsh attach-disk … --config`) — is refused with IN_USE naming the domain;
// and a point a full image was made from is protected (POINT_PROTECTED) until the image goes.

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/** A point of a small shut-off VM, a full image and a volume made from it, and a second VM. */
async function fixture(t: ExecutionContext) {
  const blank = { sizeMiB: 16, fs: 'none' } as const;
  const src = await withTestVm(t, { label: 'src', start: false, agent: false, disks: [blank] });
  const eng = await withEngine(t);
  const point = await eng.svc.backup({ domain: src.uuid });
  const img = await eng.images.createImage({ pointId: point.id, disk: 'vda', name: 'golden.qcow2' }, {});
  const vol = await eng.volumes.createVolume(
    { pointId: point.id, disk: 'vda', name: 'vol.qcow2', dir: eng.volumeDir, format: 'qcow2' },
    {},
  );
  const user = await withTestVm(t, { label: 'user', start: false, agent: false, disks: [blank] });
  return { eng, point, img, vol, user };
}

test('a shut-off domain whose definition holds an image and a volume (attach-disk --config): both deletes refused IN_USE naming it; the full image protects its point', async (t) => {
  const { eng, point, img, vol, user } = await fixture(t);
  await virsh(['attach-disk', user.name, img.path, 'vdb', '--config', '--subdriver', 'qcow2']);
  await virsh(['attach-disk', user.name, vol.path, 'vdc', '--config', '--subdriver', 'qcow2']);
  t.is(await user.state(), 'shut off');
  const imgErr = await t.throwsAsync(eng.images.deleteImage(img.name), { code: 'IN_USE' });
  t.true(imgErr!.message.includes(user.name), imgErr!.message);
  const volErr = await t.throwsAsync(eng.volumes.deleteVolume(vol.id), { code: 'IN_USE' });
  t.true(volErr!.message.includes(user.name), volErr!.message);
  t.true(await exists(img.path));
  t.true(await exists(vol.path));

  // A full image protects the point it was made from: point and chain delete are refused.
  t.throws(() => eng.del.check(point.id, false), { code: 'POINT_PROTECTED', message: /golden\.qcow2/ });
  await t.throwsAsync(eng.del.deleteChain(point.chainId), { code: 'POINT_PROTECTED' });
  t.is(eng.catalog.getPoint(point.id)?.state, 'available');

  // Detached: both go, and then so can the point's chain.
  await virsh(['detach-disk', user.name, 'vdb', '--config']);
  await virsh(['detach-disk', user.name, 'vdc', '--config']);
  await eng.volumes.deleteVolume(vol.id);
  await eng.images.deleteImage(img.name);
  t.false(await exists(vol.path));
  t.false(await exists(img.path));
  await eng.del.deleteChain(point.chainId);
  t.is(eng.catalog.getPoint(point.id), null);
});

test('a running domain with an image and a volume attached with --config only (not in its live XML): both deletes refused IN_USE naming it', async (t) => {
  const { eng, img, vol, user } = await fixture(t);
  await virsh(['start', user.name, '--paused']);
  await virsh(['attach-disk', user.name, img.path, 'vdb', '--config', '--subdriver', 'qcow2']);
  await virsh(['attach-disk', user.name, vol.path, 'vdc', '--config', '--subdriver', 'qcow2']);
  const live = await virsh(['domblklist', user.name]);
  const persistent = await virsh(['domblklist', user.name, '--inactive']);
  t.false(live.includes(img.path) || live.includes(vol.path), 'the live XML lacks the --config disks');
  t.true(persistent.includes(img.path) && persistent.includes(vol.path));
  const imgErr = await t.throwsAsync(eng.images.deleteImage(img.name), { code: 'IN_USE' });
  t.true(imgErr!.message.includes(user.name), imgErr!.message);
  const volErr = await t.throwsAsync(eng.volumes.deleteVolume(vol.id), { code: 'IN_USE' });
  t.true(volErr!.message.includes(user.name), volErr!.message);
  t.true(await exists(img.path));
  t.true(await exists(vol.path));
  await virsh(['destroy', user.name]);
  await virsh(['detach-disk', user.name, 'vdb', '--config']);
  await virsh(['detach-disk', user.name, 'vdc', '--config']);
  await eng.images.deleteImage(img.name);
  await eng.volumes.deleteVolume(vol.id);
  t.false(await exists(img.path));
});
