/**
 * Row access for points and their disks (used by SqliteCatalog, which owns validation and
 * transactions).
 */

import { VirtpointError } from '../../core/errors.js';
import type { PointState } from '../../core/point-state.js';
import type { NewPoint, Point, PointFilter, PointStatePatch } from '../../ports/catalog.js';
import type { FileChecksum } from '../../ports/fs.js';
import { nonNegInt, Where, type StatementCache } from './query.js';
import { toPoint, type PointDiskRow, type PointRow } from './rows.js';

export class SqlitePoints {
  constructor(
    private readonly stmt: StatementCache,
    private readonly now: () => number,
  ) {}

  insert(id: string, input: NewPoint): void {
    const t = this.now();
    this.stmt
      .get(
        `INSERT INTO points (id, name, domain_uuid, chain_id, seq, kind, state, new_chain_reason, trigger,
           created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, 'creating', ?, ?, ?, ?)`,
      )
      .run(
        id,
        input.name,
        input.domainUuid,
        input.chainId,
        input.seq,
        input.kind,
        input.newChainReason ?? null,
        input.trigger,
        t,
        t,
      );
    for (const d of input.disks) {
      this.stmt
        .get(
          `INSERT INTO point_disks (point_id, target, path, virtual_size, format, checkpoint)
           VALUES (?, ?, ?, ?, ?, ?)`,
        )
        .run(id, d.target, d.path, nonNegInt(d.virtualSize, 'virtual size'), d.format, d.checkpoint);
    }
  }

  get(id: string): Point | null {
    const r = this.stmt.get('SELECT * FROM points WHERE id = ?').get(id) as PointRow | undefined;
    return r === undefined ? null : this.withDisks(r);
  }

  getByName(domainUuid: string, name: string): Point | null {
    const r = this.stmt
      .get('SELECT * FROM points WHERE domain_uuid = ? AND name = ?')
      .get(domainUuid, name) as PointRow | undefined;
    return r === undefined ? null : this.withDisks(r);
  }

  list(filter: PointFilter): Point[] {
    const where = new Where()
      .eq('domain_uuid', filter.domainUuid)
      .eq('chain_id', filter.chainId)
      .eq('kind', filter.kind)
      .eq('trigger', filter.trigger)
      .in('state', filter.state)
      .cmp('created_at', '>=', 'since', filter.since)
      .cmp('created_at', '<', 'until', filter.until);
    if (filter.nameContains !== undefined) {
      where.raw('instr(lower(name), lower(@name)) > 0', { name: filter.nameContains });
    }
    if (filter.after !== undefined) {
      // Keyset paging: the points after the cursor point in list order.
      where.raw('(created_at, seq, rowid) > (SELECT created_at, seq, rowid FROM points WHERE id = @after)', {
        after: filter.after,
      });
    }
    let page = `SELECT id FROM points ${where} ORDER BY created_at, seq, rowid`;
    if (filter.limit !== undefined) {
      page += ' LIMIT @limit';
      where.params.limit = nonNegInt(filter.limit, 'limit');
    }
    const sql = `SELECT * FROM points WHERE id IN (${page}) ORDER BY created_at, seq, rowid`;
    const rows = this.stmt.get(sql).all(where.params) as PointRow[];
    if (rows.length === 0) return [];
    // The disks of all listed points in one query (not one per point), grouped by point. The
    // caller runs both queries in one transaction, so they see the same points.
    const disksSql = `SELECT * FROM point_disks WHERE point_id IN (${page}) ORDER BY point_id, target`;
    const disks = new Map<string, PointDiskRow[]>();
    for (const d of this.stmt.get(disksSql).all(where.params) as PointDiskRow[]) {
      const list = disks.get(d.point_id);
      if (list === undefined) disks.set(d.point_id, [d]);
      else list.push(d);
    }
    return rows.map((r) => toPoint(r, disks.get(r.id) ?? []));
  }

  require(id: string): Point {
    const p = this.get(id);
    if (p === null) throw new VirtpointError('POINT_NOT_FOUND', `point ${id} is not in the catalog`);
    return p;
  }

  /** Writes state and the patched fields; fields absent from the patch keep their value. */
  write(cur: Point, patch: PointStatePatch & { state?: PointState }): void {
    const error = patch.error === undefined ? cur.error : patch.error;
    const freezeMs = patch.freezeMs === undefined ? cur.freezeMs : patch.freezeMs;
    this.stmt
      .get(
        `UPDATE points SET state = ?, updated_at = ?, error_code = ?, error_message = ?, consistency = ?,
           consistency_reason = ?, freeze_ms = ? WHERE id = ?`,
      )
      .run(
        patch.state ?? cur.state,
        this.now(),
        error?.code ?? null,
        error?.message ?? null,
        patch.consistency === undefined ? cur.consistency : patch.consistency,
        patch.consistencyReason === undefined ? cur.consistencyReason : patch.consistencyReason,
        freezeMs === null ? null : nonNegInt(freezeMs, 'freeze window'),
        cur.id,
      );
    if (patch.sizes !== undefined) this.writeSizes(cur.id, patch.sizes);
    if (patch.checksums !== undefined) this.writeChecksums(cur.id, patch.checksums);
  }

  writeChecksums(id: string, checksums: Readonly<Record<string, FileChecksum | null>>): void {
    for (const [target, c] of Object.entries(checksums)) {
      if (c === null) {
        const r = this.stmt
          .get('UPDATE point_disks SET file_size = NULL, sha256 = NULL WHERE point_id = ? AND target = ?')
          .run(id, target);
        if (r.changes === 0) throw new VirtpointError('DISK_NOT_FOUND', `point ${id} has no disk ${target}`);
        continue;
      }
      if (!/^[0-9a-f]{64}$/.test(c.sha256)) {
        throw new VirtpointError('INVALID_ARGUMENT', `the sha256 of ${target} is not 64 hex digits`);
      }
      const r = this.stmt
        .get('UPDATE point_disks SET file_size = ?, sha256 = ? WHERE point_id = ? AND target = ?')
        .run(nonNegInt(c.size, `file size of ${target}`), c.sha256, id, target);
      if (r.changes === 0) throw new VirtpointError('DISK_NOT_FOUND', `point ${id} has no disk ${target}`);
    }
  }

  writeSizes(id: string, sizes: Readonly<Record<string, number>>): void {
    for (const [target, size] of Object.entries(sizes)) {
      const r = this.stmt
        .get('UPDATE point_disks SET size = ? WHERE point_id = ? AND target = ?')
        .run(nonNegInt(size, `size of ${target}`), id, target);
      if (r.changes === 0) throw new VirtpointError('DISK_NOT_FOUND', `point ${id} has no disk ${target}`);
    }
  }

  delete(id: string): void {
    this.require(id);
    this.stmt.get('DELETE FROM points WHERE id = ?').run(id);
  }

  private withDisks(r: PointRow): Point {
    const disks = this.stmt
      .get('SELECT * FROM point_disks WHERE point_id = ? ORDER BY target')
      .all(r.id) as PointDiskRow[];
    return toPoint(r, disks);
  }
}
