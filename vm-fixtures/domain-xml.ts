/**
 * Domain XML for the virtpoint test guest (see build.sh): direct kernel boot under TCG
 * (`type='qemu'`: nested KVM hangs on the hosts we test on), N virtio disks, the guest-agent
 * channel unless `agent: false`, and a serial console logged to a file.
 */

export interface FixtureDisk {
  /** Target dev, `vda`, `vdb`, ... */
  readonly target: string;
  readonly path: string;
  readonly format: 'qcow2' | 'raw';
}

export interface FixtureDomainOptions {
  readonly name: string;
  readonly uuid?: string;
  readonly kernel: string;
  readonly initrd: string;
  readonly disks: readonly FixtureDisk[];
  /** Declare the org.qemu.guest_agent.0 channel (default true). */
  readonly agent?: boolean;
  readonly consoleLog?: string;
  readonly memoryMiB?: number;
  readonly vcpus?: number;
}

export function xmlEscape(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/'/g, '&apos;')
    .replace(/"/g, '&quot;');
}

const TARGET = /^vd[a-z]$/;

export function fixtureDomainXml(opts: FixtureDomainOptions): string {
  if (opts.disks.length === 0) throw new Error('a fixture domain needs at least one disk');
  const seen = new Set<string>();
  for (const d of opts.disks) {
    if (!TARGET.test(d.target)) throw new Error(`invalid disk target ${JSON.stringify(d.target)}`);
    if (seen.has(d.target)) throw new Error(`disk target ${d.target} given twice`);
    seen.add(d.target);
    if (!d.path.startsWith('/')) throw new Error(`disk path must be absolute: ${d.path}`);
  }
  const e = xmlEscape;
  const disks = opts.disks
    .map(
      (d) =>
        `    <disk type='file' device='disk'>\n` +
        `      <driver name='qemu' type='${d.format}'/>\n` +
        `      <source file='${e(d.path)}'/>\n` +
        `      <target dev='${d.target}' bus='virtio'/>\n` +
        `    </disk>\n`,
    )
    .join('');
  const agent =
    opts.agent === false
      ? ''
      : `    <channel type='unix'>\n      <target type='virtio' name='org.qemu.guest_agent.0'/>\n    </channel>\n`;
  const log = opts.consoleLog ? `<log file='${e(opts.consoleLog)}' append='on'/>` : '';
  return (
    `<domain type='qemu'>\n` +
    `  <name>${e(opts.name)}</name>\n` +
    (opts.uuid ? `  <uuid>${e(opts.uuid)}</uuid>\n` : '') +
    `  <memory unit='MiB'>${opts.memoryMiB ?? 192}</memory>\n` +
    `  <vcpu>${opts.vcpus ?? 1}</vcpu>\n` +
    `  <os>\n` +
    `    <type arch='x86_64' machine='pc'>hvm</type>\n` +
    `    <kernel>${e(opts.kernel)}</kernel>\n` +
    `    <initrd>${e(opts.initrd)}</initrd>\n` +
    `    <cmdline>console=ttyS0 quiet</cmdline>\n` +
    `  </os>\n` +
    `  <features><acpi/></features>\n` +
    `  <on_poweroff>destroy</on_poweroff>\n` +
    `  <on_reboot>restart</on_reboot>\n` +
    `  <on_crash>destroy</on_crash>\n` +
    `  <devices>\n` +
    disks +
    agent +
    `    <serial type='pty'>${log}<target port='0'/></serial>\n` +
    `    <console type='pty'><target type='serial' port='0'/></console>\n` +
    `  </devices>\n` +
    `</domain>\n`
  );
}
