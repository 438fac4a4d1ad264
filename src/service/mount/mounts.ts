/**
 * Mounting a point (docs/restore.md "Mount a point"): one disk of a point, flattened through its
 * chain by qemu-storage-daemon, exposed read-only as a raw FUSE file in the daemon's own work
 * directory; one partition of it attached to a read-only loop device and mounted with the
 * journal never replayed (ext4 `noload`, xfs `norecovery`), so the point's files never change.
 * Or exported over NBD on a Unix socket (read-only). Every step is recorded in the catalog
 * before the next one starts, so undo.ts can take it all down from the row alone.
 *
 * A mounted point is in use: it, and every earlier point of its chain (the files it reads
 * through), cannot be deleted or merged (POINT_IN_USE, see `usersOf`).
 */

import { isAbsolute, join, normalize } from 'node:path';

import { VirtpointError } from '../../core/errors.js';
import { newId } from '../../core/names.js';
import {
  choosePartition,
  FS_PROBE_BYTES,
  PARTITION_PROBE_BYTES,
  parsePartitions,
  probeFilesystem,
  type PartitionLayout,
} from '../../core/partitions.js';
import { resolveStorePath } from '../../core/store-layout.js';
import type { Point, PointDisk } from '../../ports/catalog.js';
import type { MountRecord, NewMount } from '../../ports/mount-catalog.js';
import { pointDisk, requireAvailable, requirePoint } from '../restore/common.js';
import { fuseFileOf, pidFileOf, scratchOf, type MountDeps } from './deps.js';
import { undoMount } from './undo.js';

export interface MountRequest {
  readonly pointId: string;
  readonly disk: string;
  readonly dir: string;
  readonly partition?: number;
}

export interface ExportRequest {
  readonly pointId: string;
  readonly disk: string;
  readonly socket: string;
}

export class MountService {
  /** rchar of each mount's qemu-storage-daemon at the last sweep (a change means it was read). */
  private readonly lastRead = new Map<string, number>();

  constructor(private readonly deps: MountDeps) {}

  list(): MountRecord[] {
    return this.deps.mounts.list();
  }

  /** The mounts that keep `point` from being deleted or merged: of it or of a later point of its chain. */
  usersOf(point: Pick<Point, 'id' | 'chainId' | 'seq'>): MountRecord[] {
    return this.deps.mounts.list().filter((m) => {
      const p = m.pointId === point.id ? point : this.deps.catalog.getPoint(m.pointId);
      return p !== null && p.chainId === point.chainId && p.seq >= point.seq;
    });
  }

  /** POINT_IN_USE naming the mounts when `usersOf(point)` is not empty (for DeleteService). */
  inUseError(point: Point): VirtpointError | null {
    const users = this.usersOf(point);
    if (users.length === 0) return null;
    const what = users.map(
      (m) => `${m.kind === 'mount' ? 'mount' : 'export'} ${m.dir ?? m.socket} (point ${m.pointId})`,
    );
    return new VirtpointError(
      'POINT_IN_USE',
      `point ${point.id} (seq ${point.seq} of chain ${point.chainId}) is in use: ${what.join(', ')} reads through ` +
        'its files; undo it first (virtpoint point unmount DIR|SOCKET; virtpoint mount list)',
      { details: { pointId: point.id, mounts: users.map((m) => m.id) } },
    );
  }

  /** The partition table of a point's disk, read through its chain (no export is left). */
  async partitions(
    pointId: string,
    disk: string,
  ): Promise<{ layout: PartitionLayout; fs: Map<number, string | null> }> {
    const { point, d } = this.source(pointId, disk);
    const workDir = join(this.deps.workRoot, `partitions-${newId(this.deps.random)}`);
    await this.deps.fs.mkdir(workDir, 0o700);
    try {
      const read = (offset: number, length: number) =>
        this.deps.mounter.imageRead(this.image(d), d.format, offset, length, scratchOf(workDir));
      const layout = parsePartitions(await read(0, PARTITION_PROBE_BYTES), d.virtualSize);
      const fs = new Map<number, string | null>();
      for (const p of layout.partitions) {
        fs.set(
          p.number,
          p.kind === 'extended' ? null : probeFilesystem(await read(p.offset, FS_PROBE_BYTES)),
        );
      }
      this.deps.log.debug({ point: point.id, disk, table: layout.table }, 'partitions read');
      return { layout, fs };
    } finally {
      await this.deps.fs.removeDirIfEmpty(workDir);
    }
  }

  async mount(req: MountRequest): Promise<MountRecord> {
    const { d } = this.source(req.pointId, req.disk);
    const dir = await this.checkDir(req.dir);
    const m = this.begin({ pointId: req.pointId, disk: req.disk, kind: 'mount', dir, socket: null });
    return this.guarded(m, async () => {
      const fuseFile = fuseFileOf(m.workDir, req.disk);
      const proc = await this.deps.qsd.start({
        image: this.image(d),
        format: d.format,
        export: { fuseFile },
        pidFile: pidFileOf(m.workDir),
      });
      this.deps.mounts.update(m.id, { fuseFile, qsdPid: proc.pid, qsdStartTime: proc.startTime });
      const layout = parsePartitions(
        await this.deps.mounter.readAt(fuseFile, 0, PARTITION_PROBE_BYTES),
        d.virtualSize,
      );
      const part = choosePartition(layout, req.partition);
      const fsType = probeFilesystem(await this.deps.mounter.readAt(fuseFile, part.offset, FS_PROBE_BYTES));
      if (fsType === null) {
        throw new VirtpointError(
          'UNSUPPORTED',
          `partition ${part.number} of disk ${req.disk} holds no ext4 or xfs filesystem ` +
            `(virtpoint point partitions ${req.pointId} --disk ${req.disk}); use point export --nbd for other filesystems`,
        );
      }
      const loop = await this.deps.mounter.attachLoop(fuseFile, part.offset, part.size);
      this.deps.mounts.update(m.id, { loopDevice: loop, partition: part.number, fsType });
      await this.deps.mounter.mount(loop, dir, fsType);
      return this.deps.mounts.update(m.id, { state: 'active' });
    });
  }

  async export(req: ExportRequest): Promise<MountRecord> {
    const { d } = this.source(req.pointId, req.disk);
    const socket = normalize(req.socket);
    if (!isAbsolute(socket))
      throw new VirtpointError('INVALID_ARGUMENT', `socket ${req.socket} must be an absolute path`);
    if (await this.deps.fs.exists(socket)) {
      throw new VirtpointError(
        'ALREADY_EXISTS',
        `${socket} exists; name a new socket path (it is never replaced)`,
      );
    }
    const m = this.begin({ pointId: req.pointId, disk: req.disk, kind: 'nbd', dir: null, socket });
    return this.guarded(m, async () => {
      const proc = await this.deps.qsd.start({
        image: this.image(d),
        format: d.format,
        export: { socket },
        pidFile: pidFileOf(m.workDir),
      });
      this.deps.mounts.update(m.id, { qsdPid: proc.pid, qsdStartTime: proc.startTime });
      return this.deps.mounts.update(m.id, { state: 'active' });
    });
  }

  /** Undoes the mount whose dir, socket or id is `which`; NOT_FOUND when there is none. */
  async unmount(which: string): Promise<MountRecord> {
    const path = isAbsolute(which) ? normalize(which) : which;
    const m = this.deps.mounts.list().find((x) => x.id === which || x.dir === path || x.socket === path);
    if (m === undefined) {
      throw new VirtpointError(
        'NOT_FOUND',
        `no mount or export of a point at ${which} (virtpoint mount list)`,
      );
    }
    await undoMount(this.deps, m, 'unmount');
    this.lastRead.delete(m.id);
    return m;
  }

  /** Undoes mounts nothing has read for `idleMinutes` (called every minute). */
  async sweepIdle(): Promise<void> {
    const now = this.deps.now();
    for (const m of this.deps.mounts.list()) {
      if (m.state !== 'active' || m.qsdPid === null || m.qsdStartTime === null) continue;
      const read = await this.deps.qsd.readCount({ pid: m.qsdPid, startTime: m.qsdStartTime });
      const before = this.lastRead.get(m.id);
      if (read !== null) this.lastRead.set(m.id, read);
      let lastUsed = m.lastUsedAt;
      if (read !== null && before !== undefined && read !== before) {
        this.deps.mounts.touch(m.id);
        lastUsed = now;
      }
      if (now - lastUsed < this.deps.idleMinutes * 60_000) continue;
      try {
        await undoMount(this.deps, m, 'idle');
        this.lastRead.delete(m.id);
      } catch (e) {
        this.deps.log.warn({ mount: m.id, err: String(e) }, 'could not undo an idle mount; will retry');
      }
    }
  }

  /** At daemon start: every mount recorded by an earlier run is undone (docs/restore.md). */
  async cleanupOnStart(): Promise<void> {
    for (const m of this.deps.mounts.list()) {
      try {
        await undoMount(this.deps, m, 'daemon-start');
      } catch (e) {
        this.deps.log.error({ mount: m.id, dir: m.dir, err: String(e) }, 'could not undo a leftover mount');
      }
    }
  }

  private source(pointId: string, disk: string): { point: Point; d: PointDisk } {
    const point = requirePoint(this.deps.catalog, pointId);
    requireAvailable(point);
    return { point, d: pointDisk(point, disk) };
  }

  private image(d: PointDisk): string {
    return resolveStorePath(this.deps.storeRoot, d.path);
  }

  private async checkDir(raw: string): Promise<string> {
    const dir = normalize(raw).replace(/(.)\/$/, '$1');
    if (!isAbsolute(dir))
      throw new VirtpointError('INVALID_ARGUMENT', `mount directory ${raw} must be an absolute path`);
    if (!(await this.deps.fs.exists(dir))) {
      throw new VirtpointError(
        'NOT_FOUND',
        `mount directory ${dir} does not exist; create an empty directory first`,
      );
    }
    if ((await this.deps.fs.listDir(dir)).length > 0 || (await this.deps.mounter.mountSource(dir)) !== null) {
      throw new VirtpointError(
        'INVALID_ARGUMENT',
        `mount directory ${dir} is not empty or already a mount point`,
      );
    }
    return dir;
  }

  private begin(req: Omit<NewMount, 'id' | 'workDir'>): MountRecord {
    const id = newId(this.deps.random);
    return this.deps.mounts.create({ ...req, id, workDir: join(this.deps.workRoot, id) });
  }

  /** Runs the setup; on any failure undoes what was done and rethrows. */
  private async guarded(m: MountRecord, setup: () => Promise<MountRecord>): Promise<MountRecord> {
    try {
      await this.deps.fs.mkdir(m.workDir, 0o700);
      const done = await setup();
      // A delete that started while this was set up wins: the point must still be available.
      requireAvailable(requirePoint(this.deps.catalog, m.pointId));
      this.deps.log.info(
        { mount: m.id, point: m.pointId, disk: m.disk, kind: m.kind, dir: m.dir, socket: m.socket },
        'point mounted',
      );
      return done;
    } catch (e) {
      const now = this.deps.mounts.get(m.id);
      if (now !== null) {
        await undoMount(this.deps, now, 'failed').catch((e2: unknown) =>
          this.deps.log.error(
            { mount: m.id, err: String(e2) },
            'could not undo a failed mount; the next start will',
          ),
        );
      }
      throw e;
    }
  }
}
