/**
 * Row access for what the restore side makes from points: volumes (create-volume) and images
 * (create-image), and the protection of points by the images made from them. Used by SqliteCatalog, which
 * owns transactions and error translation.
 */

import { VirtpointError } from '../../core/errors.js';
import { newId, type RandomBytes } from '../../core/names.js';
import type { ArtifactCatalog, DiskFormat, Image, NewImage, NewVolume, Volume } from '../../ports/catalog.js';
import { Where, type StatementCache } from './query.js';
import type { Transact } from './transact.js';

interface VolumeRow {
  id: string;
  name: string;
  point_id: string;
  disk: string;
  location_kind: string;
  location: string;
  path: string;
  format: string;
  created_at: number;
}

interface ImageRow {
  name: string;
  point_id: string;
  disk: string;
  path: string;
  linked: number;
  created_at: number;
}

function toVolume(r: VolumeRow): Volume {
  return {
    id: r.id,
    name: r.name,
    pointId: r.point_id,
    disk: r.disk,
    location:
      r.location_kind === 'pool' ? { kind: 'pool', pool: r.location } : { kind: 'dir', dir: r.location },
    path: r.path,
    format: r.format as DiskFormat,
    createdAt: r.created_at,
  };
}

function toImage(r: ImageRow): Image {
  return {
    name: r.name,
    pointId: r.point_id,
    disk: r.disk,
    path: r.path,
    linked: r.linked === 1,
    createdAt: r.created_at,
  };
}

export class SqliteArtifacts implements ArtifactCatalog {
  constructor(
    private readonly stmt: StatementCache,
    private readonly run: Transact,
    private readonly now: () => number,
    private readonly random: RandomBytes,
  ) {}

  createVolume(input: NewVolume): Volume {
    return this.run(
      'create volume',
      () => {
        const existing = this.stmt.get('SELECT id FROM volumes WHERE path = ?').get(input.path) as
          { id: string } | undefined;
        if (existing !== undefined) {
          throw new VirtpointError(
            'ALREADY_EXISTS',
            `volume ${existing.id} is already recorded at ${input.path}`,
          );
        }
        const id = newId(this.random);
        const location = input.location.kind === 'pool' ? input.location.pool : input.location.dir;
        this.stmt
          .get(
            `INSERT INTO volumes (id, name, point_id, disk, location_kind, location, path, format, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            id,
            input.name,
            input.pointId,
            input.disk,
            input.location.kind,
            location,
            input.path,
            input.format,
            this.now(),
          );
        return this.requireVolume(id);
      },
      true,
    );
  }

  getVolume(id: string): Volume | null {
    const r = this.stmt.get('SELECT * FROM volumes WHERE id = ?').get(id) as VolumeRow | undefined;
    return r === undefined ? null : toVolume(r);
  }

  listVolumes(filter: { pointId?: string } = {}): Volume[] {
    const where = new Where().eq('point_id', filter.pointId);
    const sql = `SELECT * FROM volumes ${where} ORDER BY created_at, rowid`;
    return (this.stmt.get(sql).all(where.params) as VolumeRow[]).map(toVolume);
  }

  deleteVolume(id: string): void {
    this.run('delete volume', () => {
      this.requireVolume(id);
      this.stmt.get('DELETE FROM volumes WHERE id = ?').run(id);
    });
  }

  private requireVolume(id: string): Volume {
    const v = this.getVolume(id);
    if (v === null) throw new VirtpointError('VOLUME_NOT_FOUND', `volume ${id} is not in the catalog`);
    return v;
  }

  createImage(input: NewImage): Image {
    return this.run(
      'create image',
      () => {
        if (this.getImage(input.name) !== null) {
          throw new VirtpointError('ALREADY_EXISTS', `an image named ${input.name} already exists`);
        }
        this.stmt
          .get(
            `INSERT INTO images (name, point_id, disk, path, linked, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
          )
          .run(input.name, input.pointId, input.disk, input.path, input.linked ? 1 : 0, this.now());
        const img = this.getImage(input.name);
        if (img === null) throw new VirtpointError('INTERNAL', `image ${input.name} vanished after insert`);
        return img;
      },
      true,
    );
  }

  getImage(name: string): Image | null {
    const r = this.stmt.get('SELECT * FROM images WHERE name = ?').get(name) as ImageRow | undefined;
    return r === undefined ? null : toImage(r);
  }

  listImages(filter: { pointId?: string } = {}): Image[] {
    const where = new Where().eq('point_id', filter.pointId);
    return (this.stmt.get(`SELECT * FROM images ${where} ORDER BY name`).all(where.params) as ImageRow[]).map(
      toImage,
    );
  }

  deleteImage(name: string): void {
    this.run('delete image', () => {
      const r = this.stmt.get('DELETE FROM images WHERE name = ?').run(name);
      if (r.changes === 0) throw new VirtpointError('NOT_FOUND', `no image named ${name}`);
    });
  }

  /** See Catalog.pointProtections. */
  pointProtections(pointId: string): string[] {
    const rows = this.stmt
      .get(
        `SELECT DISTINCT i.name FROM images i
         JOIN points base ON base.id = i.point_id
         JOIN points x ON x.chain_id = base.chain_id
         WHERE x.id = ?
           AND (x.id = base.id OR (i.linked = 1 AND x.seq < base.seq AND x.state <> 'error'))
         ORDER BY i.name`,
      )
      .all(pointId) as { name: string }[];
    return rows.map((r) => r.name);
  }
}
