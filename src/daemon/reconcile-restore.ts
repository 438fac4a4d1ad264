import { dirname, join } from 'node:path';
import { ownCheckpoint } from '../service/backup/checkpoints.js';
import type { BackupDeps } from '../service/backup/deps.js';

/**
 * What a crash in the middle of a rollback or a volume/image copy leaves beside the files
 * (service/restore.ts, restore-common.ts), made whole again on start:
 * - `.<disk>.virtpoint-restore-<id>`: the new content of a disk, not yet renamed over it;
 * - `.<disk>.virtpoint-orig-<id>`: a second name of a disk's original file, taken before the
 *   renames and removed after them;
 * - `.<name>.virtpoint-tmp-<id>`: a volume or image being written.
 * A rollback (one id) whose restore files are all gone had renamed every disk: it completed, and
 * its old files go; its checkpoints (their bitmaps went with the old files) and open chains are
 * dropped and sealed as the rollback would have. One with a restore file left did not complete:
 * the disks already renamed get their original back, so nothing changed — all or nothing.
 * A domain that is running is left alone (its disks are in use) and reported.
 */

const LEFTOVER = /^\.(.+)\.virtpoint-(restore|orig|tmp)-([0-9a-f]{12})$/;

export interface RestoreLeftovers {
  readonly undone: string[];
  readonly completed: string[];
  readonly removed: string[];
  readonly skipped: string[];
  /** Domain UUIDs whose interrupted rollback was completed / undone (for the jobs' outcome). */
  readonly rollbacks: { readonly completed: string[]; readonly undone: string[] };
}

export async function reconcileRestores(
  deps: BackupDeps,
  extraDirs: readonly string[],
): Promise<RestoreLeftovers> {
  const { hypervisor: hv, catalog, fs, log } = deps;
  const out: RestoreLeftovers = {
    undone: [],
    completed: [],
    removed: [],
    skipped: [],
    rollbacks: { completed: [], undone: [] },
  };
  const known = new Set(catalog.listDomains().map((d) => d.uuid));
  const domains = (await hv.listDomains()).filter((d) => known.has(d.uuid));
  const dirs = new Map<string, { uuid: string; name: string; running: boolean } | null>();
  for (const d of domains) {
    for (const disk of d.disks) {
      if (disk.sourcePath)
        dirs.set(dirname(disk.sourcePath), { uuid: d.uuid, name: d.name, running: d.state !== 'shutoff' });
    }
  }
  for (const dir of extraDirs) if (!dirs.has(dir)) dirs.set(dir, null);

  for (const [dir, owner] of dirs) {
    const groups = new Map<string, { restore: string[]; orig: string[]; tmp: string[] }>();
    for (const name of await fs.listDir(dir)) {
      const m = LEFTOVER.exec(name);
      if (!m) continue;
      const [, base, kind, id] = m as unknown as [string, string, 'restore' | 'orig' | 'tmp', string];
      const g = groups.get(id) ?? { restore: [], orig: [], tmp: [] };
      g[kind].push(base);
      groups.set(id, g);
    }
    for (const [id, g] of groups) {
      for (const base of g.tmp) {
        await fs.removeFile(join(dir, `.${base}.virtpoint-tmp-${id}`));
        out.removed.push(join(dir, base));
      }
      if (g.restore.length === 0 && g.orig.length === 0) continue;
      if (owner?.running) {
        out.skipped.push(dir);
        log.error(
          { dir, rollback: id },
          'an interrupted rollback left files beside the disks of a running domain; fix by hand',
        );
        continue;
      }
      const path = (base: string, kind: string) => join(dir, `.${base}.virtpoint-${kind}-${id}`);
      if (g.restore.length > 0) {
        // Not every disk was renamed: put back the originals of those that were.
        for (const base of g.orig.filter((b) => !g.restore.includes(b))) {
          await fs.rename(path(base, 'orig'), join(dir, base));
          out.undone.push(join(dir, base));
        }
        if (owner) out.rollbacks.undone.push(owner.uuid);
        for (const base of g.restore) await fs.removeFile(path(base, 'restore'));
        for (const base of g.orig.filter((b) => g.restore.includes(b)))
          await fs.removeFile(path(base, 'orig'));
      } else {
        for (const base of g.orig) {
          await fs.removeFile(path(base, 'orig'));
          out.completed.push(join(dir, base));
        }
        if (owner) await finishRollback(deps, owner.uuid);
        if (owner) out.rollbacks.completed.push(owner.uuid);
      }
      await fs.fsyncDir(dir).catch(() => undefined);
    }
  }
  if (out.undone.length + out.completed.length + out.removed.length + out.skipped.length > 0) {
    log.warn({ ...out }, 'cleaned up after an interrupted rollback or copy');
  }
  return out;
}

/** What a completed rollback does after its renames: drop its checkpoints, seal its chains. */
async function finishRollback(deps: BackupDeps, uuid: string): Promise<void> {
  const { hypervisor: hv, catalog } = deps;
  for (const c of await hv.listCheckpoints(uuid)) {
    if (ownCheckpoint(catalog, uuid, c.name) !== null)
      await hv.deleteCheckpoint(uuid, c.name, { metadataOnly: true });
  }
  for (const chain of catalog.listChains({ domainUuid: uuid, state: 'open' }))
    catalog.sealChain(chain.id, 'restored');
}
