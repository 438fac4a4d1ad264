/**
 * Mounts an operator can see. Under the shipped systemd unit (ProtectSystem=strict, PrivateTmp)
 * the daemon runs in a mount namespace of its own: a FUSE export or a loop mount made there is
 * invisible to the operator's shell. So the commands that make or undo them (qemu-storage-daemon,
 * losetup, mount, umount) run in the mount namespace of PID 1 — the host's — through
 * `nsenter --mount=/proc/1/ns/mnt`, and the checks read PID 1's mountinfo. Without a namespace of
 * its own (started by hand, the test hosts) nothing is prefixed.
 */

import { readlink } from 'node:fs/promises';

const NSENTER = ['nsenter', '--mount=/proc/1/ns/mnt', '--'] as const;

/** The argv prefix for commands that must act in the host's mount namespace. */
export function hostMountPrefix(selfNs: string | null, initNs: string | null): readonly string[] {
  return selfNs !== null && initNs !== null && selfNs !== initNs ? NSENTER : [];
}

export interface HostMountNs {
  /** `argv` to run in the host's mount namespace. */
  readonly wrap: (argv: readonly string[]) => string[];
  /** The mountinfo that shows the host's mounts. */
  readonly mountinfo: string;
}

let cached: Promise<HostMountNs> | null = null;

/** Read once per process: a daemon does not change namespaces. */
export function hostMountNs(): Promise<HostMountNs> {
  cached ??= (async () => {
    const link = (p: string) => readlink(p).catch(() => null);
    const prefix = hostMountPrefix(await link('/proc/self/ns/mnt'), await link('/proc/1/ns/mnt'));
    return {
      wrap: (argv) => [...prefix, ...argv],
      mountinfo: prefix.length > 0 ? '/proc/1/mountinfo' : '/proc/self/mountinfo',
    };
  })();
  return cached;
}
