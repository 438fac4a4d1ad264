/**
 * Undoing a mount or export from its catalog row alone (unmount, idle sweep, and the cleanup at
 * daemon start after a kill -9): each piece is removed only once proven to be the one recorded —
 * the mount directory while the host's mountinfo shows it mounted from the recorded loop device;
 * a loop device while /sys/block/loopN/loop/backing_file is the recorded FUSE file; the
 * qemu-storage-daemon while /proc/PID shows the recorded start time and a command line naming
 * the FUSE file or socket. Then the daemon's own files in the work directory go, then the row.
 * A step that fails leaves the row (state `unmounting`) so a retry or the next start finishes.
 */

import { VirtpointError } from '../../core/errors.js';
import type { MountRecord } from '../../ports/mount-catalog.js';
import type { QsdProcess } from '../../ports/mounter.js';
import { pidFileOf, scratchOf, type MountDeps } from './deps.js';

export async function undoMount(deps: MountDeps, m: MountRecord, why: string): Promise<void> {
  const { mounts, mounter, qsd, fs, log } = deps;
  if (m.state !== 'unmounting') mounts.update(m.id, { state: 'unmounting' });
  const mark = m.fuseFile ?? m.socket ?? '';

  // The loop devices of this mount: the one recorded, if it still backs our FUSE file, and any
  // other backing exactly that file (attached before a crash could record it).
  const loops = new Set<string>();
  if (m.fuseFile !== null) {
    for (const l of await mounter.loopsBacking(m.fuseFile)) loops.add(l);
    if (m.loopDevice !== null && (await mounter.loopBackingFile(m.loopDevice)) === m.fuseFile)
      loops.add(m.loopDevice);
  }

  if (m.dir !== null) {
    const source = await mounter.mountSource(m.dir);
    if (source !== null && loops.has(source)) {
      try {
        await mounter.umount(m.dir);
      } catch (e) {
        throw new VirtpointError(
          'IN_USE',
          `${m.dir} is busy (a process has a file or its working directory in it: fuser -vm ${m.dir}); ` +
            'close it, then run virtpoint point unmount again',
          { cause: e, details: { mount: m.id } },
        );
      }
    } else if (source !== null) {
      log.warn({ mount: m.id, dir: m.dir, source }, 'mount directory holds another mount; left alone');
    }
  }

  for (const loop of loops) await mounter.detachLoop(loop);

  const proc: QsdProcess | null =
    m.qsdPid !== null && m.qsdStartTime !== null
      ? { pid: m.qsdPid, startTime: m.qsdStartTime }
      : await qsd.fromPidFile(pidFileOf(m.workDir), mark);
  const ours = proc !== null && (await qsd.isOurs(proc, mark));
  if (proc !== null) await qsd.stop(proc, mark);
  // qemu-storage-daemon leaves its NBD socket behind. The path was the operator's: it goes only
  // when the process that made it was proven ours just now; else it is reported.
  if (m.socket !== null && ours) await fs.removeFile(m.socket);
  else if (m.socket !== null && (await fs.exists(m.socket))) {
    log.warn(
      { mount: m.id, socket: m.socket },
      "the export's process was gone; its socket file is left alone",
    );
  }

  // A FUSE export whose process died without unmounting stays as a dead mount on our own file.
  if (m.fuseFile !== null && (await mounter.mountSource(m.fuseFile)) === '/dev/fuse')
    await mounter.umount(m.fuseFile);

  for (const f of [m.fuseFile, pidFileOf(m.workDir), scratchOf(m.workDir)]) {
    if (f !== null) await fs.removeFile(f);
  }
  await fs.removeDirIfEmpty(m.workDir);
  mounts.remove(m.id);
  log.info(
    { mount: m.id, point: m.pointId, disk: m.disk, kind: m.kind, dir: m.dir, socket: m.socket, why },
    'mount undone',
  );
}
