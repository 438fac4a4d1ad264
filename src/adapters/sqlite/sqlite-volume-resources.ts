/** The volume_resources table (migration-v12.ts) as the VolumeResourceCatalog port. */

import type { Database } from 'better-sqlite3';

import type {
  NewVolumeResource,
  VolumeResource,
  VolumeResourceCatalog,
} from '../../ports/volume-resources.js';
import { translateSqliteError } from './rows.js';

interface Row {
  uuid: string;
  label: string;
  path: string;
  pool: string | null;
  volume: string | null;
  format: 'qcow2' | 'raw';
  created_at: number;
  last_backup_at: number | null;
}

const toResource = (r: Row): VolumeResource => ({
  uuid: r.uuid,
  label: r.label,
  path: r.path,
  pool: r.pool,
  volume: r.volume,
  format: r.format,
  createdAt: r.created_at,
  lastBackupAt: r.last_backup_at,
});

const SELECT = `SELECT v.*, d.name AS label FROM volume_resources v JOIN domains d ON d.uuid = v.uuid`;

export class SqliteVolumeResources implements VolumeResourceCatalog {
  constructor(
    private readonly db: Database,
    private readonly now: () => number = Date.now,
  ) {}

  upsert(input: NewVolumeResource): VolumeResource {
    try {
      const t = this.now();
      this.db.transaction(() => {
        this.db
          .prepare(
            `INSERT INTO domains (uuid, name, first_seen_at, last_seen_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (uuid) DO UPDATE SET name = excluded.name, last_seen_at = excluded.last_seen_at`,
          )
          .run(input.uuid, input.label, t, t);
        this.db
          .prepare(
            `INSERT INTO volume_resources (uuid, path, pool, volume, format, created_at)
             VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (uuid) DO UPDATE SET path = excluded.path, pool = excluded.pool,
               volume = excluded.volume, format = excluded.format`,
          )
          .run(input.uuid, input.path, input.pool, input.volume, input.format, t);
      })();
    } catch (e) {
      throw translateSqliteError(e, 'record volume resource');
    }
    return this.get(input.uuid)!;
  }

  get(uuid: string): VolumeResource | null {
    const r = this.db.prepare(`${SELECT} WHERE v.uuid = ?`).get(uuid) as Row | undefined;
    return r === undefined ? null : toResource(r);
  }

  list(): VolumeResource[] {
    return (this.db.prepare(`${SELECT} ORDER BY d.name, v.uuid`).all() as Row[]).map(toResource);
  }

  touch(uuid: string, at: number): void {
    this.db.prepare('UPDATE volume_resources SET last_backup_at = ? WHERE uuid = ?').run(at, uuid);
  }
}
