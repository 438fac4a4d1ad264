/**
 * A new domain from a point (docs/restore.md "A new domain from a point"): the domain XML the
 * point recorded (its manifest), rewritten by core/domain-copy.ts (new name, UUID, MACs, disk
 * sources; what would collide left to libvirt), every disk of the point written as a new volume
 * (VolumeService: a pool or an allowed directory) or, `linked`, a linked image on the point
 * (ImageService: the point is then protected like by any linked image). Disks the point lacks
 * are left out with a warning. The original domain is never read or touched: it may be running,
 * or gone. On failure every volume, image and definition made is removed again.
 */

import { randomUUID } from 'node:crypto';

import { copyDomainXml, domainDiskTargets, randomMac } from '../../core/domain-copy.js';
import { isNotFound, VirtpointError } from '../../core/errors.js';
import type { RandomBytes } from '../../core/names.js';
import type { DomainCreateResult, PointXmlView } from '../../contract/index.js';
import type { Catalog, Point } from '../../ports/catalog.js';
import type { Fs } from '../../ports/fs.js';
import type { Hypervisor } from '../../ports/hypervisor.js';
import type { Logger } from '../../ports/logger.js';
import { manifestPath, readManifest } from '../recovery/manifest-writer.js';
import { requireAvailable, requirePoint, type RestoreRunOptions } from '../restore/common.js';
import type { ImageService } from '../restore/images.js';
import type { VolumeService } from '../restore/volumes.js';

export interface DomainCreateRequest {
  readonly pointId: string;
  readonly name: string;
  readonly dir?: string;
  readonly pool?: string;
  readonly linked?: boolean;
  readonly start?: boolean;
}

export interface DomainCreateDeps {
  readonly catalog: Catalog;
  readonly fs: Fs;
  readonly hypervisor: Hypervisor;
  readonly log: Logger;
  readonly storeRoot: string;
  readonly random: RandomBytes;
  readonly volumes: VolumeService;
  readonly images: ImageService;
}

const NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$/;

type Made = { target: string; path: string; volume: string | null; image: string | null };

export class DomainCreateService {
  constructor(private readonly deps: DomainCreateDeps) {}

  /** The domain XML the point recorded (its manifest); NOT_FOUND when it recorded none. */
  async pointXml(pointId: string): Promise<PointXmlView> {
    const point = requirePoint(this.deps.catalog, pointId);
    const m = await readManifest(this.deps.fs, manifestPath(this.deps.storeRoot, point));
    if (m?.domain.xml == null) {
      throw new VirtpointError(
        'NOT_FOUND',
        `point ${pointId} has no recorded domain XML (its manifest is missing or predates it)`,
      );
    }
    return { pointId, domainUuid: point.domainUuid, xml: m.domain.xml };
  }

  /** Everything checkable before writing (at submit and again in the job); the point and disks. */
  async check(req: DomainCreateRequest): Promise<{ point: Point; xml: string; targets: string[] }> {
    if (!NAME_RE.test(req.name)) {
      throw new VirtpointError(
        'INVALID_ARGUMENT',
        `domain name ${JSON.stringify(req.name)}: use 1–64 letters, digits, '.', '_' or '-', not starting with '.' or '-'`,
      );
    }
    const linked = req.linked === true;
    if (!linked && (req.dir === undefined) === (req.pool === undefined)) {
      throw new VirtpointError(
        'INVALID_ARGUMENT',
        'give exactly one of --dir (an allowed directory) and --pool',
      );
    }
    if (linked && (req.dir !== undefined || req.pool !== undefined)) {
      throw new VirtpointError(
        'INVALID_ARGUMENT',
        '--linked overlays go to the image directory; drop --dir/--pool',
      );
    }
    const point = requirePoint(this.deps.catalog, req.pointId);
    requireAvailable(point);
    try {
      const taken = await this.deps.hypervisor.lookupDomain(req.name);
      throw new VirtpointError(
        'ALREADY_EXISTS',
        `a domain named ${req.name} exists (${taken.uuid}); choose another --as`,
      );
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    const { xml } = await this.pointXml(point.id);
    const inXml = new Set(domainDiskTargets(xml));
    const targets = point.disks.map((d) => d.target).filter((t) => inXml.has(t));
    if (targets.length === 0) {
      throw new VirtpointError(
        'INVALID_STATE',
        `none of the point's disks is a disk of its recorded domain XML`,
      );
    }
    for (const disk of targets) {
      const name = `${req.name}-${disk}`;
      if (linked) await this.deps.images.checkCreate({ pointId: point.id, disk, name, linked: true });
      else await this.deps.volumes.checkCreate({ pointId: point.id, disk, name, ...this.where(req) });
    }
    return { point, xml, targets };
  }

  async create(req: DomainCreateRequest, opts: RestoreRunOptions = {}): Promise<DomainCreateResult> {
    const { point, xml, targets } = await this.check(req);
    const { hypervisor, log } = this.deps;
    const made: Made[] = [];
    const sizes = targets.map((t) => point.disks.find((d) => d.target === t)?.virtualSize ?? 0);
    const total = sizes.reduce((a, b) => a + b, 0);
    let base = 0;
    let uuid: string | null = null;
    try {
      for (const [i, disk] of targets.entries()) {
        const name = `${req.name}-${disk}`;
        const sub: RestoreRunOptions = {
          onProgress: (p) => opts.onProgress?.({ done: base + p.done, total }),
          ...(opts.signal ? { signal: opts.signal } : {}),
        };
        if (req.linked === true) {
          const img = await this.deps.images.createImage(
            { pointId: point.id, disk, name, linked: true },
            sub,
          );
          made.push({ target: disk, path: img.path, volume: null, image: img.name });
        } else {
          const v = await this.deps.volumes.createVolume(
            { pointId: point.id, disk, name, ...this.where(req) },
            sub,
          );
          made.push({ target: disk, path: v.path, volume: v.id, image: null });
        }
        base += sizes[i] ?? 0;
      }
      const copy = copyDomainXml(xml, {
        name: req.name,
        uuid: randomUUID(),
        disks: Object.fromEntries(made.map((m) => [m.target, { path: m.path, format: 'qcow2' as const }])),
        newMac: () => randomMac(this.deps.random),
      });
      const dom = await hypervisor.defineDomain(copy.xml);
      uuid = dom.uuid;
      if (req.start === true) await hypervisor.startDomain(dom.uuid);
      for (const w of copy.warnings) log.warn({ point: point.id, domainName: req.name }, w);
      log.info(
        { point: point.id, domainName: req.name, newUuid: dom.uuid, disks: targets },
        'domain created from point',
      );
      return {
        name: req.name,
        uuid: dom.uuid,
        disks: made,
        leftOut: copy.leftOut,
        warnings: copy.warnings,
        started: req.start === true,
      };
    } catch (e) {
      await this.undo(uuid, made);
      throw e;
    }
  }

  private where(req: DomainCreateRequest): { dir: string } | { pool: string } {
    return req.pool !== undefined ? { pool: req.pool } : { dir: req.dir ?? '' };
  }

  private async undo(uuid: string | null, made: readonly Made[]): Promise<void> {
    const { hypervisor, log } = this.deps;
    const step = async (what: string, fn: () => Promise<void>) =>
      fn().catch((e: unknown) => log.error({ err: String(e) }, `domain create: could not undo ${what}`));
    if (uuid !== null) await step(`the definition ${uuid}`, () => hypervisor.undefineDomain(uuid));
    for (const m of made) {
      if (m.volume !== null)
        await step(`volume ${m.volume}`, () => this.deps.volumes.deleteVolume(m.volume!));
      if (m.image !== null) await step(`image ${m.image}`, () => this.deps.images.deleteImage(m.image!));
    }
  }
}
