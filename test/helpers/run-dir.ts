import { randomBytes } from 'node:crypto';
import { chmod, copyFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync, rmSync } from 'node:fs';

/**
 * Every test process gets a run id `vpt-<random>` used as the prefix of its VM names and as its
 * directory under TEST_ROOT (a place libvirt's QEMU can read). The directory holds `owner.pid`
 * so the sweeper can tell live runs from crashed ones.
 */
export const TEST_ROOT = process.env.VIRTPOINT_TEST_ROOT ?? '/var/lib/libvirt/images/virtpoint-test';
export const FIXTURE_BUILD = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'vm-fixtures',
  'build',
);

export const RUN_ID = `vpt-${randomBytes(3).toString('hex')}`;
export const RUN_DIR = join(TEST_ROOT, RUN_ID);

let prepared: Promise<{ kernel: string; initrd: string }> | undefined;

/** Creates this run's directory with a copy of the fixture kernel and initramfs (once per process). */
export function prepareRunDir(): Promise<{ kernel: string; initrd: string }> {
  prepared ??= (async () => {
    const kernelSrc = join(FIXTURE_BUILD, 'vmlinuz');
    const initrdSrc = join(FIXTURE_BUILD, 'initrd.img');
    if (!existsSync(kernelSrc) || !existsSync(initrdSrc)) {
      throw new Error(
        `test guest not built (${FIXTURE_BUILD}): run 'npm run fixtures' or scripts/setup-host.sh`,
      );
    }
    await mkdir(TEST_ROOT, { recursive: true, mode: 0o755 });
    await chmod(TEST_ROOT, 0o755);
    await mkdir(RUN_DIR, { recursive: true, mode: 0o755 });
    await writeFile(join(RUN_DIR, 'owner.pid'), `${process.pid}\n`);
    // The VMs are removed by their tests' teardown; the run directory goes when the process ends.
    process.once('exit', () => rmSync(RUN_DIR, { recursive: true, force: true }));
    const kernel = join(RUN_DIR, 'vmlinuz');
    const initrd = join(RUN_DIR, 'initrd.img');
    await copyFile(kernelSrc, kernel);
    await copyFile(initrdSrc, initrd);
    return { kernel, initrd };
  })();
  return prepared;
}
