/**
 * `remote restore` (docs/copies.md, "Restore from a target"): a whole VM recreated on this host
 * from a point on a target, with nothing but the target registered (the catalog may be empty).
 * The point and its ancestors are fetched (fetch.ts: verified, decrypted) into a temporary
 * directory under the store, each disk the manifest's domain XML has is flattened into a new
 * qcow2 `<NEW_NAME>-<disk>` in the pool or allowed directory, the XML is rewritten by
 * core/domain-copy.ts (new name and UUID, new MACs unless keepMacs, disks on the new files) and
 * defined, then started when asked. The temporary files are removed in every case; on failure
 * every disk file and the definition made are removed too: nothing is left behind.
 */

import { randomUUID } from 'node:crypto';
import path from 'node:path';

import type { RemoteRestoreInput, RemoteRestoreResult } from '../../contract/index.js';
import { copyDomainXml, domainDiskTargets, randomMac } from '../../core/domain-copy.js';
import { isNotFound, VirtpointError } from '../../core/errors.js';
import { STORE_FILE_MODE } from '../../core/store-layout.js';
import type { Hypervisor } from '../../ports/hypervisor.js';
import type { ImageTool } from '../../ports/image-tool.js';
import type { StoragePools } from '../../ports/storage-pools.js';
import { jobError, writeNewFile, type RestoreRunOptions } from '../restore/common.js';
import { fetchPoint, type FetchDeps } from './fetch.js';
import { withTarget, type OpenTargetDeps } from './open.js';
import { findRemotePoint } from './remote.js';
import { pointNeeds, readListing, type RemotePoint } from './scan.js';

const NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$/;

export interface RemoteRestoreDeps extends OpenTargetDeps, FetchDeps {
  readonly hypervisor: Hypervisor;
  readonly imageTool: ImageTool;
  readonly pools: StoragePools;
  /** Directories disks may be written to (config `allowed_volume_dirs`). */
  readonly allowedVolumeDirs?: readonly string[];
}

type Made = { target: string; path: string; inPool: boolean };

function canonicalDir(dir: string): string {
  const n = path.posix.normalize(dir);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

export class RemoteRestoreService {
  constructor(private readonly deps: RemoteRestoreDeps) {}

  private allowedDir(dir: string): string {
    const allowed = (this.deps.allowedVolumeDirs ?? []).map(canonicalDir);
    const d = canonicalDir(dir);
    if (!path.posix.isAbsolute(dir) || !allowed.includes(d)) {
      const list = allowed.length > 0 ? allowed.join(', ') : 'none are configured (allowed_volume_dirs)';
      throw new VirtpointError(
        'INVALID_ARGUMENT',
        `disks can be written only to the allowed directories: ${list}; not ${JSON.stringify(dir)}`,
      );
    }
    return d;
  }

  /** Input checks that need no target (at submit). */
  async checkInput(req: RemoteRestoreInput): Promise<void> {
    if (!NAME_RE.test(req.as)) {
      throw new VirtpointError(
        'INVALID_ARGUMENT',
        `domain name ${JSON.stringify(req.as)}: use 1–64 letters, digits, '.', '_' or '-', not starting with '.' or '-'`,
      );
    }
    if ((req.dir === undefined) === (req.pool === undefined)) {
      throw new VirtpointError(
        'INVALID_ARGUMENT',
        'give exactly one of --dir (an allowed directory) and --pool',
      );
    }
    this.deps.catalog.copies.requireTarget(req.target);
    try {
      const taken = await this.deps.hypervisor.lookupDomain(req.as);
      throw new VirtpointError(
        'ALREADY_EXISTS',
        `a domain named ${req.as} exists (${taken.uuid}); choose another --as`,
      );
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    if (req.pool !== undefined) await this.deps.pools.lookupPool(req.pool);
    else this.allowedDir(req.dir ?? '');
  }

  /** The point on the target, complete, with a domain XML; the disks restored. */
  private plan(p: RemotePoint, target: string): { xml: string; disks: string[] } {
    const xml = p.manifest.domain.xml;
    if (p.manifest.resource?.kind === 'volume') {
      throw new VirtpointError(
        'INVALID_STATE',
        `point ${p.pointId} on ${target} is a point of the detached volume ${p.manifest.domain.name}, not of a domain; restore it with volume create --from ${target}`,
      );
    }
    if (xml === null) {
      throw new VirtpointError(
        'INVALID_STATE',
        `point ${p.pointId} on ${target} recorded no domain XML; restore its disks with volume create --from ${target}`,
      );
    }
    const inXml = new Set(domainDiskTargets(xml));
    const disks = p.manifest.chain.diskSet.filter((d) => inXml.has(d));
    if (disks.length === 0)
      throw new VirtpointError(
        'INVALID_STATE',
        "none of the point's disks is a disk of its recorded domain XML",
      );
    return { xml, disks };
  }

  async restore(req: RemoteRestoreInput, opts: RestoreRunOptions = {}): Promise<RemoteRestoreResult> {
    await this.checkInput(req);
    return withTarget(this.deps, req.target, async ({ target, store, key }) => {
      const listing = await readListing(store, key);
      const point = findRemotePoint(listing, req.point, target.name);
      const { xml, disks } = this.plan(point, target.name);
      const needs = pointNeeds(point, listing);
      for (const disk of disks) await this.checkFree(req, disk);
      const fetched = await fetchPoint(this.deps, store, needs, key, opts);
      const made: Made[] = [];
      let uuid: string | null = null;
      try {
        for (const disk of disks) {
          const src = fetched.top.get(disk)!;
          const size = needs.top.get(disk)?.virtualSize ?? 0;
          made.push(await this.writeDisk(req, disk, src, size, opts.signal));
        }
        const macs = [...xml.matchAll(/<mac\s+address=(?:'([^']*)'|"([^"]*)")/g)].map(
          (m) => m[1] ?? m[2] ?? '',
        );
        const copy = copyDomainXml(xml, {
          name: req.as,
          uuid: randomUUID(),
          disks: Object.fromEntries(made.map((m) => [m.target, { path: m.path, format: 'qcow2' as const }])),
          newMac: () =>
            req.keepMacs === true
              ? (macs.shift() ?? randomMac(this.deps.random))
              : randomMac(this.deps.random),
        });
        const dom = await this.deps.hypervisor.defineDomain(copy.xml);
        uuid = dom.uuid;
        if (req.start === true) await this.deps.hypervisor.startDomain(dom.uuid);
        for (const w of copy.warnings) this.deps.log.warn({ point: point.pointId, domainName: req.as }, w);
        this.deps.log.info(
          { target: target.name, point: point.pointId, domainName: req.as, newUuid: dom.uuid, disks },
          'domain restored from a target',
        );
        return {
          name: req.as,
          uuid: dom.uuid,
          pointId: point.pointId,
          disks: made.map((m) => ({ target: m.target, path: m.path })),
          leftOut: copy.leftOut,
          warnings: copy.warnings,
          started: req.start === true,
        };
      } catch (e) {
        await this.undo(uuid, made);
        throw jobError(e, opts.signal, 'the remote restore');
      } finally {
        await fetched.remove();
      }
    });
  }

  private async checkFree(req: RemoteRestoreInput, disk: string): Promise<void> {
    if (req.dir === undefined) return;
    const p = path.posix.join(this.allowedDir(req.dir), `${req.as}-${disk}`);
    if (await this.deps.fs.exists(p))
      throw new VirtpointError('ALREADY_EXISTS', `${p} exists; it is never overwritten`);
  }

  private async writeDisk(
    req: RemoteRestoreInput,
    disk: string,
    source: string,
    capacity: number,
    signal?: AbortSignal,
  ): Promise<Made> {
    const { pools, imageTool, log } = this.deps;
    const name = `${req.as}-${disk}`;
    const convert = { format: 'qcow2' as const, ...(signal ? { signal } : {}) };
    if (req.pool !== undefined) {
      await pools.refreshPool(req.pool);
      const target = await pools.createVolume(req.pool, { name, capacity, format: 'qcow2' });
      try {
        await imageTool.convert(source, target, { ...convert, targetExists: true });
        await pools.refreshPool(req.pool);
      } catch (e) {
        await pools
          .deleteVolume(target)
          .catch((e2: unknown) =>
            log.error({ path: target, err: String(e2) }, 'could not delete a partial volume'),
          );
        throw e;
      }
      return { target: disk, path: target, inPool: true };
    }
    const target = path.posix.join(this.allowedDir(req.dir ?? ''), name);
    await writeNewFile(this.deps, target, STORE_FILE_MODE, (tmp) => imageTool.convert(source, tmp, convert));
    return { target: disk, path: target, inPool: false };
  }

  private async undo(uuid: string | null, made: readonly Made[]): Promise<void> {
    const { hypervisor, pools, fs, log } = this.deps;
    const step = async (what: string, fn: () => Promise<void>) =>
      fn().catch((e: unknown) => log.error({ err: String(e) }, `remote restore: could not undo ${what}`));
    if (uuid !== null) await step(`the definition ${uuid}`, () => hypervisor.undefineDomain(uuid));
    for (const m of made) {
      await step(m.path, () => (m.inPool ? pools.deleteVolume(m.path) : fs.removeFile(m.path)));
    }
  }
}
