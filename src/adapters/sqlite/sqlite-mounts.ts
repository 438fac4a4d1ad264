/** The mounts table (migration-v10.ts) as the MountCatalog port. */

import type { Database } from 'better-sqlite3';

import { VirtpointError } from '../../core/errors.js';
import type { FilesystemType } from '../../core/partitions.js';
import type {
  MountCatalog,
  MountKind,
  MountPatch,
  MountRecord,
  MountState,
  NewMount,
} from '../../ports/mount-catalog.js';
import { StatementCache } from './query.js';
import { translateSqliteError } from './rows.js';

interface MountRow {
  id: string;
  point_id: string;
  disk: string;
  kind: MountKind;
  state: MountState;
  partition: number | null;
  fs_type: FilesystemType | null;
  work_dir: string;
  fuse_file: string | null;
  socket: string | null;
  qsd_pid: number | null;
  qsd_start_time: number | null;
  loop_device: string | null;
  dir: string | null;
  created_at: number;
  last_used_at: number;
}

const toMount = (r: MountRow): MountRecord => ({
  id: r.id,
  pointId: r.point_id,
  disk: r.disk,
  kind: r.kind,
  state: r.state,
  partition: r.partition,
  fsType: r.fs_type,
  workDir: r.work_dir,
  fuseFile: r.fuse_file,
  socket: r.socket,
  qsdPid: r.qsd_pid,
  qsdStartTime: r.qsd_start_time,
  loopDevice: r.loop_device,
  dir: r.dir,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
});

const COLUMNS: Readonly<Record<keyof MountPatch, string>> = {
  state: 'state',
  partition: 'partition',
  fsType: 'fs_type',
  fuseFile: 'fuse_file',
  qsdPid: 'qsd_pid',
  qsdStartTime: 'qsd_start_time',
  loopDevice: 'loop_device',
};

export class SqliteMounts implements MountCatalog {
  private readonly stmt: StatementCache;

  constructor(
    db: Database,
    private readonly now: () => number = Date.now,
  ) {
    this.stmt = new StatementCache(db);
  }

  create(m: NewMount): MountRecord {
    const at = this.now();
    try {
      this.stmt
        .get(
          `INSERT INTO mounts (id, point_id, disk, kind, state, work_dir, dir, socket, created_at, last_used_at)
           VALUES (?, ?, ?, ?, 'mounting', ?, ?, ?, ?, ?)`,
        )
        .run(m.id, m.pointId, m.disk, m.kind, m.workDir, m.dir, m.socket, at, at);
    } catch (e) {
      const err = translateSqliteError(e, 'create mount');
      if (err.code === 'ALREADY_EXISTS') {
        throw new VirtpointError(
          'ALREADY_EXISTS',
          `${m.dir ?? m.socket} is already a mount or export of a point`,
        );
      }
      throw err;
    }
    return this.require(m.id);
  }

  update(id: string, patch: MountPatch): MountRecord {
    const keys = (Object.keys(patch) as (keyof MountPatch)[]).filter((k) => patch[k] !== undefined);
    if (keys.length > 0) {
      const sets = keys.map((k) => `${COLUMNS[k]} = @${k}`).join(', ');
      const r = this.stmt.get(`UPDATE mounts SET ${sets} WHERE id = @id`).run({ ...patch, id });
      if (r.changes === 0) throw new VirtpointError('NOT_FOUND', `no mount ${id}`);
    }
    return this.require(id);
  }

  touch(id: string): void {
    this.stmt.get('UPDATE mounts SET last_used_at = ? WHERE id = ?').run(this.now(), id);
  }

  get(id: string): MountRecord | null {
    const r = this.stmt.get('SELECT * FROM mounts WHERE id = ?').get(id) as MountRow | undefined;
    return r === undefined ? null : toMount(r);
  }

  list(filter: { pointId?: string } = {}): MountRecord[] {
    const rows =
      filter.pointId === undefined
        ? this.stmt.get('SELECT * FROM mounts ORDER BY created_at, id').all()
        : this.stmt
            .get('SELECT * FROM mounts WHERE point_id = ? ORDER BY created_at, id')
            .all(filter.pointId);
    return (rows as MountRow[]).map(toMount);
  }

  remove(id: string): void {
    this.stmt.get('DELETE FROM mounts WHERE id = ?').run(id);
  }

  private require(id: string): MountRecord {
    const m = this.get(id);
    if (m === null) throw new VirtpointError('NOT_FOUND', `no mount ${id}`);
    return m;
  }
}
