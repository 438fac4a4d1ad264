/**
 * The PreflightHost port on this host: versions over the libvirt connection, and the QEMU user
 * from /etc/libvirt/qemu.conf (`user = "…"`; Debian's default `libvirt-qemu`) resolved through
 * /etc/passwd and /etc/group.
 */

import { readFile } from 'node:fs/promises';

import type { QemuUser } from '../../core/preflight.js';
import type { PreflightHost } from '../../ports/preflight.js';
import type { LibvirtSupervisor } from '../libvirt/supervisor.js';

export interface PreflightHostOptions {
  readonly qemuConf?: string;
  readonly passwd?: string;
  readonly group?: string;
  readonly defaultUser?: string;
}

export function createPreflightHost(
  supervisor: LibvirtSupervisor,
  opts: PreflightHostOptions = {},
): PreflightHost {
  const read = (p: string) => readFile(p, 'utf8').catch(() => '');
  return {
    versions: () => supervisor.client().versions(),
    qemuUser: async () =>
      resolveQemuUser(
        await read(opts.qemuConf ?? '/etc/libvirt/qemu.conf'),
        await read(opts.passwd ?? '/etc/passwd'),
        await read(opts.group ?? '/etc/group'),
        opts.defaultUser ?? 'libvirt-qemu',
      ),
  };
}

/** The QEMU user from the texts of qemu.conf, passwd and group; null when it has no passwd entry. */
export function resolveQemuUser(
  qemuConf: string,
  passwd: string,
  group: string,
  defaultUser: string,
): QemuUser | null {
  const m = /^\s*user\s*=\s*"([^"]+)"/m.exec(qemuConf);
  const name = m?.[1] ?? defaultUser;
  if (name === 'root' || name === '+0') return { name: 'root', uid: 0, gids: [0] };
  const entry = passwd
    .split('\n')
    .map((l) => l.split(':'))
    .find((f) => f[0] === name);
  if (entry === undefined || entry[2] === undefined || entry[3] === undefined) return null;
  const gids = new Set([Number(entry[3])]);
  for (const line of group.split('\n')) {
    const f = line.split(':');
    if (f[2] !== undefined && (f[3] ?? '').split(',').includes(name)) gids.add(Number(f[2]));
  }
  return { name, uid: Number(entry[2]), gids: [...gids] };
}
