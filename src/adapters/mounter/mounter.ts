/**
 * The Mounter port on util-linux: losetup (read-only, offset/sizelimit of one partition of the
 * FUSE export), mount with the journal never replayed (ext4 `noload`, xfs `norecovery`), umount,
 * losetup -d; the checks read /sys/block/loopN/loop/backing_file and the host's mountinfo. All in
 * the host's mount namespace (../process/host-mount-ns.ts), so the operator sees the mount.
 */

import { open, readdir, readFile, rm } from 'node:fs/promises';
import { basename } from 'node:path';

import { VirtpointError } from '../../core/errors.js';
import type { FilesystemType } from '../../core/partitions.js';
import type { Mounter } from '../../ports/mounter.js';
import { hostMountNs } from '../process/host-mount-ns.js';
import { runCommand, type RunOptions } from '../process/run-command.js';

const TIMEOUT_MS = 60_000;
const LOOP = /^\/dev\/loop\d+$/;

export const MOUNT_OPTIONS: Readonly<Record<FilesystemType, string>> = {
  ext4: 'ro,noload',
  xfs: 'ro,norecovery',
};

/** The mount point and source of each line of /proc/self/mountinfo (octal escapes undone). */
export function parseMountinfo(text: string): { dir: string; source: string }[] {
  const unescape = (s: string) =>
    s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
  return text
    .split('\n')
    .filter((l) => l.includes(' - '))
    .map((l) => {
      const [left = '', right = ''] = l.split(' - ');
      return { dir: unescape(left.split(' ')[4] ?? ''), source: unescape(right.split(' ')[1] ?? '') };
    });
}

async function read(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

/** losetup, mount, umount: in the host's mount namespace (host-mount-ns.ts). */
async function inHost(argv: readonly string[], opts: RunOptions) {
  return runCommand((await hostMountNs()).wrap(argv), opts);
}

export class UtilLinuxMounter implements Mounter {
  async attachLoop(file: string, offset: number, size: number): Promise<string> {
    const r = await inHost(
      [
        'losetup',
        '--read-only',
        '--offset',
        String(offset),
        '--sizelimit',
        String(size),
        '--find',
        '--show',
        file,
      ],
      { timeoutMs: TIMEOUT_MS },
    );
    const device = r.stdout.toString('utf8').trim();
    if (!LOOP.test(device))
      throw new VirtpointError('COMMAND_FAILED', `losetup printed no loop device: ${device}`);
    return device;
  }

  async loopBackingFile(device: string): Promise<string | null> {
    if (!LOOP.test(device)) return null;
    return (await read(`/sys/block/${basename(device)}/loop/backing_file`))?.trim() ?? null;
  }

  async loopsBacking(file: string): Promise<string[]> {
    const names = (await readdir('/sys/block').catch(() => [] as string[])).filter((n) =>
      /^loop\d+$/.test(n),
    );
    const out: string[] = [];
    for (const n of names) {
      if ((await read(`/sys/block/${n}/loop/backing_file`))?.trim() === file) out.push(`/dev/${n}`);
    }
    return out;
  }

  async detachLoop(device: string): Promise<void> {
    await inHost(['losetup', '--detach', device], { timeoutMs: TIMEOUT_MS });
  }

  async mount(device: string, dir: string, fsType: FilesystemType): Promise<void> {
    await inHost(['mount', '-t', fsType, '-o', MOUNT_OPTIONS[fsType], device, dir], {
      timeoutMs: TIMEOUT_MS,
    });
  }

  async mountSource(dir: string): Promise<string | null> {
    const all = parseMountinfo((await read((await hostMountNs()).mountinfo)) ?? '');
    return all.reverse().find((m) => m.dir === dir)?.source ?? null;
  }

  async umount(dir: string): Promise<void> {
    await inHost(['umount', dir], { timeoutMs: TIMEOUT_MS });
  }

  async readAt(file: string, offset: number, length: number): Promise<Buffer> {
    const fh = await open(file, 'r');
    try {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await fh.read(buf, 0, length, offset);
      return buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  }

  async imageRead(
    image: string,
    format: 'qcow2' | 'raw',
    offset: number,
    length: number,
    scratch: string,
  ): Promise<Buffer> {
    if (offset % 512 !== 0)
      throw new VirtpointError('INTERNAL', `imageRead: offset ${offset} is not sector-aligned`);
    try {
      await runCommand(
        [
          'qemu-img',
          'dd',
          '-U',
          '-f',
          format,
          '-O',
          'raw',
          'bs=512',
          `skip=${offset / 512}`,
          // qemu-img 7.2 clamps the size to count×bs before it applies skip: count includes the skip.
          `count=${offset / 512 + Math.ceil(length / 512)}`,
          `if=${image}`,
          `of=${scratch}`,
        ],
        { timeoutMs: TIMEOUT_MS },
      );
      return (await this.readAt(scratch, 0, length)).subarray(0, length);
    } finally {
      await rm(scratch, { force: true });
    }
  }
}
