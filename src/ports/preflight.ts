/**
 * What the preflight checks read from the host beyond the other ports (service/preflight/):
 * libvirt's and QEMU's versions, and the user QEMU runs as.
 */

import type { QemuUser } from '../core/preflight.js';

export interface PreflightHost {
  /** `major * 1e6 + minor * 1e3 + micro`; throws LIBVIRT_DISCONNECTED when libvirt is not reachable. */
  versions(): Promise<{ readonly libvirt: number; readonly qemu: number }>;
  /** The user of `user =` in /etc/libvirt/qemu.conf (Debian default `libvirt-qemu`); null when unknown. */
  qemuUser(): Promise<QemuUser | null>;
}
