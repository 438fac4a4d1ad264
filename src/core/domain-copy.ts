/**
 * A new domain's XML from the XML a point recorded (domain create, docs/restore.md "A new domain
 * from a point"). Pure text rewriting of the XML libvirt writes (one element per line or
 * block, attributes in quotes); nothing of the original is changed elsewhere.
 *
 * - name and UUID replaced; the live `id` attribute dropped;
 * - every `<mac address>` replaced (the caller's generator: 52:54:00:xx:xx:xx);
 * - disks (`device='disk'`) of the point rebuilt as file disks on the new files (driver type,
 *   boot order, address and serial kept; backing chains, seclabels, wwn dropped); disks of the
 *   domain the point does not have, and `lun` passthrough disks, left out with a warning;
 *   cdrom and floppy kept as they were (read-only media);
 * - what would collide with the original left to libvirt to generate: unix channel paths (the
 *   guest agent socket), pty paths, interface target devices (vnetN), dynamic seclabels,
 *   graphics ports (autoport), the NVRAM file (a fresh one from the template, warned);
 *   serial/console log files and unix sockets get the new name appended.
 */

import { VirtpointError } from './errors.js';

export interface DomainCopySpec {
  readonly name: string;
  readonly uuid: string;
  /** Target → the new file of that disk. */
  readonly disks: Readonly<Record<string, { readonly path: string; readonly format: 'qcow2' | 'raw' }>>;
  readonly newMac: () => string;
}

export interface DomainCopy {
  readonly xml: string;
  /** Disk targets of the domain that are not in the new domain. */
  readonly leftOut: readonly string[];
  readonly warnings: readonly string[];
}

export function escapeXmlText(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/'/g, '&apos;')
    .replace(/"/g, '&quot;');
}

const attr = (el: string, name: string): string | null =>
  new RegExp(`\\s${name}=(?:'([^']*)'|"([^"]*)")`)
    .exec(el)
    ?.slice(1)
    .find((x) => x !== undefined) ?? null;
const dropAttr = (el: string, name: string) =>
  el.replace(new RegExp(`\\s${name}=(?:'[^']*'|"[^"]*")`, 'g'), '');

/** Self-closing or block elements named `name` (not nested in themselves), anywhere. */
const elements = (name: string) => new RegExp(`<${name}\\b[^>]*?(?:/>|>[\\s\\S]*?</${name}>)`, 'g');

/** Targets of the `device='disk'` disks of a domain XML, in order. */
export function domainDiskTargets(xml: string): string[] {
  return (xml.match(elements('disk')) ?? []).flatMap((block) => {
    const open = /<disk\b[^>]*>/.exec(block)?.[0] ?? '';
    const target = /<target\b[^>]*>/.exec(block)?.[0];
    const dev = target === undefined ? null : attr(target, 'dev');
    return (attr(open, 'device') ?? 'disk') === 'disk' && dev !== null ? [dev] : [];
  });
}

/** Random MAC addresses in QEMU's locally administered range 52:54:00. */
export function randomMac(random: (n: number) => Uint8Array): string {
  const b = random(3);
  return ['52', '54', '00', ...[...b].map((x) => x.toString(16).padStart(2, '0'))].join(':');
}

export function copyDomainXml(xml: string, spec: DomainCopySpec): DomainCopy {
  const warnings: string[] = [];
  const leftOut: string[] = [];
  const name = escapeXmlText(spec.name);
  let out = xml;
  const root = /<domain\b[^>]*>/.exec(out);
  if (root === null)
    throw new VirtpointError('INVALID_STATE', "the point's domain XML has no <domain> element");
  out = out.replace(root[0], dropAttr(root[0], 'id'));
  if (!/<name>[^<]*<\/name>/.test(out))
    throw new VirtpointError('INVALID_STATE', "the point's domain XML has no <name>");
  out = out.replace(/<name>[^<]*<\/name>/, `<name>${name}</name>`);
  if (/<uuid>[^<]*<\/uuid>/.test(out)) out = out.replace(/<uuid>[^<]*<\/uuid>/, `<uuid>${spec.uuid}</uuid>`);
  else out = out.replace(`<name>${name}</name>`, `<name>${name}</name>\n  <uuid>${spec.uuid}</uuid>`);

  out = out.replace(elements('disk'), (block) => {
    const open = /<disk\b[^>]*>/.exec(block)?.[0] ?? '';
    const device = attr(open, 'device') ?? 'disk';
    const target = /<target\b[^>]*>/.exec(block)?.[0];
    const dev = target === undefined ? null : attr(target, 'dev');
    if (device === 'cdrom' || device === 'floppy') return block;
    const file = dev === null ? undefined : spec.disks[dev];
    if (device !== 'disk' || file === undefined || target === undefined) {
      leftOut.push(dev ?? '?');
      warnings.push(
        device === 'disk'
          ? `disk ${dev ?? '?'} is not in the point (not backed up): left out of the new domain`
          : `disk ${dev ?? '?'} (device ${device}) is host passthrough: left out of the new domain`,
      );
      return '';
    }
    const keep = (re: RegExp) => re.exec(block)?.[0];
    const driverEl = keep(/<driver\b[^>]*\/>/);
    const driver =
      driverEl === undefined
        ? `<driver name='qemu' type='${file.format}'/>`
        : /\stype=/.test(driverEl)
          ? driverEl.replace(/\stype=(?:'[^']*'|"[^"]*")/, ` type='${file.format}'`)
          : driverEl.replace(/\/>$/, ` type='${file.format}'/>`);
    const lines = [
      `<disk type='file' device='disk'>`,
      `  ${driver}`,
      `  <source file='${escapeXmlText(file.path)}'/>`,
      `  ${dropAttr(target, 'tray')}`,
      ...[/<boot\b[^>]*\/>/, /<readonly\/>/, /<serial>[^<]*<\/serial>/, /<address\b[^>]*\/>/].flatMap(
        (re) => {
          const el = keep(re);
          return el === undefined ? [] : [`  ${el}`];
        },
      ),
      `</disk>`,
    ];
    return lines.join('\n    ');
  });

  out = out.replace(/<mac\s+address=(?:'[^']*'|"[^"]*")/g, () => `<mac address='${spec.newMac()}'`);
  out = out.replace(elements('interface'), (block) =>
    block.replace(/\s*<target\s+dev=(?:'[^']*'|"[^"]*")\s*\/>/, ''),
  );
  out = out.replace(elements('seclabel'), '');
  out = out.replace(elements('channel'), (block) =>
    attr(block, 'type') === 'unix'
      ? block.replace(/(<source\b[^>]*?)\s+path=(?:'[^']*'|"[^"]*")/, '$1')
      : block,
  );
  for (const el of ['serial', 'console', 'parallel']) {
    out = out.replace(elements(el), (block) => {
      const type = attr(block, 'type');
      let b = dropAttr(
        block.replace(/<log\s+file='([^']*)'/, (_m, f: string) => `<log file='${f}.${name}'`),
        'tty',
      );
      if (type === 'pty') b = b.replace(/\s*<source\s+path=(?:'[^']*'|"[^"]*")\s*\/>/, '');
      if (type === 'unix')
        b = b.replace(
          /(<source\b[^>]*?\spath=')([^']*)'/,
          (_m, pre: string, p: string) => `${pre}${p}.${name}'`,
        );
      return b;
    });
  }
  out = out.replace(/<graphics\b[^>]*>/g, (g) => {
    const cleaned = ['port', 'tlsPort', 'websocket', 'autoport'].reduce(dropAttr, g);
    return cleaned.replace(/^<graphics/, "<graphics autoport='yes'");
  });
  if (/<nvram\b[^>]*>[^<]+<\/nvram>/.test(out)) {
    out = out.replace(/<nvram\b([^>]*)>[^<]+<\/nvram>/, '<nvram$1/>');
    warnings.push(
      'the UEFI variables (NVRAM) start fresh from the template; boot entries of the original are not copied',
    );
  }
  return { xml: out, leftOut, warnings };
}
