import { posix } from 'node:path';
import { toVirtpointError } from '../../core/errors.js';
import { parseManifestFileName } from '../../core/manifest.js';
import { isValidId } from '../../core/names.js';
import { isValidDomainUuid, parseStorePath } from '../../core/store-layout.js';
import type { Point } from '../../ports/catalog.js';
import { manifestPath, readManifest, writePointManifest, type ManifestDeps } from './manifest-writer.js';

/**
 * The store compared with the catalog (reconcile on start, `virtpoint doctor`). The one rule:
 * nothing is deleted that the daemon cannot prove is its own leftover. Proof is either
 * - the daemon's temp marker: `.<name>.virtpoint-tmp-<12 hex>` (an interrupted atomic write), or
 * - a disk file of a point this catalog records as `error` that has no manifest (a failed
 *   backup: it never became available; a point that did and later broke keeps its files).
 * Everything else the catalog does not know — files of points it does not hold, manifests of such
 * points, foreign files, directories that are not domains or chains — is reported and left in
 * place: after a lost or emptied catalog these are the backups themselves (rebuild the catalog
 * from the manifests: `virtpoint catalog rebuild`). With `clean`, the leftovers go and the
 * manifests of available points that lack one are written (a crash or a failed write between
 * marking a point available and writing its manifest; stores made before manifests existed).
 */

export interface UnknownEntry {
  /** Relative to the store root. */
  readonly path: string;
  readonly reason: string;
}

export interface StoreScan {
  /** Own leftovers removed (with `clean`) or removable (without). */
  readonly leftovers: string[];
  /** Unknown entries, left in place. */
  readonly unknown: UnknownEntry[];
  /** Manifests that do not parse or do not match the catalog. */
  readonly badManifests: UnknownEntry[];
  /** Ids of available points without a manifest (without `clean`), or whose write failed. */
  readonly missingManifests: string[];
  /** Ids of points whose manifest was written by the scan (`clean`). */
  readonly manifestsWritten: string[];
  /**
   * Open chains sealed (`clean`) because their directory holds point files or manifests the
   * catalog does not know (a catalog older than the store): the next incremental would reuse
   * those seqs and write over them; a new chain goes into a new directory instead.
   */
  readonly sealed: string[];
}

const TEMP_RE = /^\.(.+)\.virtpoint-tmp-[0-9a-f]{12}$/;

export interface ScanDeps extends ManifestDeps {
  readonly hypervisor?: { getDomainXml(uuid: string): Promise<string> };
}

export async function scanStore(deps: ScanDeps, opts: { clean: boolean }): Promise<StoreScan> {
  const { fs, catalog, storeRoot } = deps;
  const out: StoreScan = {
    leftovers: [],
    unknown: [],
    badManifests: [],
    missingManifests: [],
    manifestsWritten: [],
    sealed: [],
  };
  const unknown = (path: string, reason: string) => out.unknown.push({ path, reason });
  const list = async (rel: string): Promise<string[] | null> => {
    try {
      return await fs.listDir(posix.join(storeRoot, rel));
    } catch {
      return null; // not a directory
    }
  };
  const leftover = async (rel: string) => {
    out.leftovers.push(rel);
    if (opts.clean) await fs.removeFile(posix.join(storeRoot, rel));
  };

  for (const domain of (await list('')) ?? []) {
    if (!isValidDomainUuid(domain)) {
      unknown(domain, 'not a domain directory of the store');
      continue;
    }
    const chains = await list(domain);
    if (chains === null) {
      unknown(domain, 'a file where a domain directory belongs');
      continue;
    }
    // One domain's points at a time: a large catalog is never held in memory whole.
    const points = catalog.listPoints({ domainUuid: domain });
    const byPath = new Map<string, Point>(points.flatMap((p) => p.disks.map((d) => [d.path, p] as const)));
    const bySeq = new Map<string, Point>(points.map((p) => [`${p.chainId}/${p.seq}`, p]));
    const seen = new Set<string>();
    for (const chain of chains) {
      const chainRel = `${domain}/${chain}`;
      const files = isValidId(chain) ? await list(chainRel) : null;
      if (files === null) {
        unknown(chainRel, 'not a chain directory');
        continue;
      }
      const manifests = new Set(files.map(parseManifestFileName).filter((s): s is number => s !== null));
      let foreignPoints = 0; // files or manifests of points the catalog does not hold
      for (const file of files) {
        const rel = `${chainRel}/${file}`;
        if (TEMP_RE.test(file)) {
          await leftover(rel);
          continue;
        }
        const seq = parseManifestFileName(file);
        if (seq !== null) {
          const p = bySeq.get(`${chain}/${seq}`);
          if (p === undefined) {
            unknown(rel, 'the manifest of a point this catalog does not hold');
            foreignPoints++;
          } else await checkManifest(deps, p, rel, out);
          continue;
        }
        const parsed = parseStorePath(rel);
        const p = parsed === null ? undefined : byPath.get(rel);
        if (parsed === null) unknown(rel, 'not a virtpoint store file');
        else if (p === undefined) {
          unknown(rel, 'no point of this catalog refers to it');
          foreignPoints++;
        } else if (p.state === 'error' && !manifests.has(p.seq)) await leftover(rel);
        else seen.add(p.id);
      }
      if (opts.clean && foreignPoints > 0 && catalog.getChain(chain)?.state === 'open') {
        catalog.sealChain(chain, 'chain-sealed');
        out.sealed.push(chain);
        deps.log.warn(
          { chain, domain },
          'sealed an open chain whose directory holds files the catalog does not know (the next backup starts a new chain)',
        );
      }
      if (opts.clean) await fs.removeDirIfEmpty(posix.join(storeRoot, chainRel));
    }
    for (const p of points) {
      if (p.state !== 'available' && p.state !== 'restoring') continue;
      if (await fs.exists(manifestPath(storeRoot, p))) continue;
      if (!seen.has(p.id) || !opts.clean) {
        out.missingManifests.push(p.id);
        continue;
      }
      const xml = deps.hypervisor ? await deps.hypervisor.getDomainXml(p.domainUuid).catch(() => null) : null;
      if (await writePointManifest(deps, p.id, { xml })) out.manifestsWritten.push(p.id);
      else out.missingManifests.push(p.id);
    }
  }
  return out;
}

async function checkManifest(deps: ScanDeps, p: Point, rel: string, out: StoreScan): Promise<void> {
  try {
    const m = await readManifest(deps.fs, posix.join(deps.storeRoot, rel));
    if (m !== null && m.point.id !== p.id) {
      out.badManifests.push({
        path: rel,
        reason: `it describes point ${m.point.id}; the catalog has ${p.id}`,
      });
    }
  } catch (e) {
    out.badManifests.push({ path: rel, reason: toVirtpointError(e).message });
  }
}
