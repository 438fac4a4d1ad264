/**
 * The off-host side of the catalog (ports/copies-catalog.ts): targets, copies of points on them
 * and the state of uploads in flight. No secret is stored here (see migration-v11.ts).
 */

import type { ErrorCode } from '../../core/errors.js';
import { VirtpointError } from '../../core/errors.js';
import { newId, type RandomBytes } from '../../core/names.js';
import type {
  CopiesCatalog,
  Copy,
  CopyPatch,
  NewTarget,
  NewUpload,
  Target,
  TargetConfig,
  Upload,
  UploadPart,
} from '../../ports/copies-catalog.js';
import { nonNegInt, Where, type StatementCache } from './query.js';
import type { Transact } from './transact.js';

interface TargetRow {
  id: string;
  name: string;
  kind: string;
  config: string;
  encrypted: number;
  key_id: string | null;
  bwlimit: number | null;
  retention: string;
  created_at: number;
}

interface CopyRow {
  point_id: string;
  target_id: string;
  target_name: string;
  state: Copy['state'];
  at: number;
  bytes: number;
  job_id: string | null;
  error_code: string | null;
  error_message: string | null;
  attempts: number;
  retry_at: number | null;
}

interface UploadRow {
  target_id: string;
  key: string;
  point_id: string;
  file: string;
  size: number;
  part_size: number;
  upload_id: string | null;
  created_at: number;
  updated_at: number;
  enc: string | null;
}

interface PartRow {
  part_number: number;
  size: number;
  etag: string | null;
  checksum: string;
}

function toTarget(r: TargetRow): Target {
  const config = { ...(JSON.parse(r.config) as object), kind: r.kind } as TargetConfig;
  return {
    id: r.id,
    name: r.name,
    config,
    keyId: r.key_id,
    bwlimit: r.bwlimit,
    retention: r.retention,
    createdAt: r.created_at,
  };
}

function toCopy(r: CopyRow): Copy {
  return {
    pointId: r.point_id,
    targetId: r.target_id,
    targetName: r.target_name,
    state: r.state,
    at: r.at,
    bytes: r.bytes,
    jobId: r.job_id,
    error: r.error_code === null ? null : { code: r.error_code as ErrorCode, message: r.error_message ?? '' },
    attempts: r.attempts,
    retryAt: r.retry_at,
  };
}

const COPY_SELECT = `SELECT c.*, t.name AS target_name FROM copies c JOIN targets t ON t.id = c.target_id`;

export class SqliteCopies implements CopiesCatalog {
  constructor(
    private readonly stmt: StatementCache,
    private readonly run: Transact,
    private readonly now: () => number,
    private readonly random: RandomBytes,
  ) {}

  hostId(): string {
    return this.run(
      'host id',
      () => {
        const r = this.stmt.get(`SELECT value FROM settings WHERE key = 'host_id'`).get() as
          { value: string } | undefined;
        if (r !== undefined) return r.value;
        const id = newId(this.random);
        this.stmt.get(`INSERT INTO settings (key, value) VALUES ('host_id', ?)`).run(id);
        return id;
      },
      true,
    );
  }

  addTarget(input: NewTarget): Target {
    return this.run(
      'add target',
      () => {
        if (this.getTarget(input.name) !== null) {
          throw new VirtpointError(
            'ALREADY_EXISTS',
            `a target named ${input.name} exists: remove it first or choose another name`,
          );
        }
        const id = newId(this.random);
        const { kind, ...config } = input.config;
        this.stmt
          .get(
            `INSERT INTO targets (id, name, kind, config, encrypted, key_id, bwlimit, retention, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            id,
            input.name,
            kind,
            JSON.stringify(config),
            input.keyId === null ? 0 : 1,
            input.keyId,
            input.bwlimit,
            input.retention,
            this.now(),
          );
        return this.requireTarget(id);
      },
      true,
    );
  }

  getTarget(idOrName: string): Target | null {
    const r = this.stmt
      .get('SELECT * FROM targets WHERE id = ? OR name = ? ORDER BY id = ? DESC')
      .get(idOrName, idOrName, idOrName) as TargetRow | undefined;
    return r === undefined ? null : toTarget(r);
  }

  requireTarget(idOrName: string): Target {
    const t = this.getTarget(idOrName);
    if (t === null) {
      throw new VirtpointError('TARGET_NOT_FOUND', `no target ${idOrName}: see 'virtpoint target list'`);
    }
    return t;
  }

  listTargets(): Target[] {
    return (this.stmt.get('SELECT * FROM targets ORDER BY name').all() as TargetRow[]).map(toTarget);
  }

  removeTarget(id: string): void {
    this.run(
      'remove target',
      () => {
        const t = this.requireTarget(id);
        const busy = this.stmt
          .get(`SELECT point_id FROM copies WHERE target_id = ? AND state = 'copying' LIMIT 1`)
          .get(t.id) as { point_id: string } | undefined;
        if (busy !== undefined) {
          throw new VirtpointError(
            'IN_USE',
            `point ${busy.point_id} is being copied to target ${t.name}: wait for the copy job or cancel it`,
          );
        }
        const tasks = this.stmt
          .get(
            `SELECT k.name FROM task_targets tt JOIN tasks k ON k.id = tt.task_id
             WHERE tt.target_id = ? ORDER BY k.name`,
          )
          .all(t.id) as { name: string }[];
        if (tasks.length > 0) {
          const names = tasks.map((x) => x.name).join(', ');
          throw new VirtpointError(
            'IN_USE',
            `task ${names} copies its points to target ${t.name}: 'virtpoint task update ${tasks[0]!.name} --no-copy-to' first`,
          );
        }
        this.stmt.get('DELETE FROM targets WHERE id = ?').run(t.id);
      },
      true,
    );
  }

  setCopy(pointId: string, targetId: string, patch: CopyPatch): Copy {
    return this.run(
      'record copy',
      () => {
        if (this.stmt.get('SELECT 1 FROM points WHERE id = ?').get(pointId) === undefined) {
          throw new VirtpointError('POINT_NOT_FOUND', `no point ${pointId}`);
        }
        const t = this.requireTarget(targetId);
        if (patch.state === 'failed' && patch.error === undefined) {
          throw new VirtpointError('INTERNAL', 'a failed copy needs its error');
        }
        const error = patch.state === 'failed' ? patch.error! : null;
        this.stmt
          .get(
            `INSERT INTO copies (point_id, target_id, state, at, bytes, job_id, error_code, error_message,
                                 attempts, retry_at)
             VALUES (@p, @t, @state, @at, coalesce(@bytes, 0), @job, @code, @message,
                     CASE WHEN @state = 'copied' THEN 0 ELSE coalesce(@attempts, 0) END,
                     CASE WHEN @state = 'failed' THEN @retryAt END)
             ON CONFLICT (point_id, target_id) DO UPDATE SET state = @state, at = @at,
               bytes = coalesce(@bytes, bytes), job_id = CASE WHEN @jobSet THEN @job ELSE job_id END,
               error_code = @code, error_message = @message,
               attempts = CASE WHEN @state = 'copied' THEN 0 ELSE coalesce(@attempts, attempts) END,
               retry_at = CASE WHEN @state <> 'failed' THEN NULL
                               WHEN @retrySet THEN @retryAt ELSE retry_at END`,
          )
          .run({
            p: pointId,
            t: t.id,
            state: patch.state,
            at: this.now(),
            bytes: patch.bytes === undefined ? null : nonNegInt(patch.bytes, 'bytes'),
            job: patch.jobId ?? null,
            jobSet: patch.jobId === undefined ? 0 : 1,
            code: error?.code ?? null,
            message: error?.message ?? null,
            attempts: patch.attempts === undefined ? null : nonNegInt(patch.attempts, 'attempts'),
            retryAt: patch.retryAt ?? null,
            retrySet: patch.retryAt === undefined ? 0 : 1,
          });
        return this.listCopies({ pointId, targetId: t.id })[0]!;
      },
      true,
    );
  }

  listCopies(filter: { pointId?: string | readonly string[]; targetId?: string } = {}): Copy[] {
    const where = new Where().eqExpr('c.target_id', 'target_id', filter.targetId);
    if (filter.pointId !== undefined) {
      const ids: readonly string[] = typeof filter.pointId === 'string' ? [filter.pointId] : filter.pointId;
      const params = Object.fromEntries(ids.map((id, i) => [`p${i}`, id]));
      where.raw(ids.length === 0 ? '0' : `c.point_id IN (${ids.map((_, i) => `@p${i}`).join(', ')})`, params);
    }
    const sql = `${COPY_SELECT} ${where} ORDER BY c.at, c.rowid`;
    return (this.stmt.get(sql).all(where.params) as CopyRow[]).map(toCopy);
  }

  beginUpload(u: NewUpload): Upload {
    return this.run(
      'begin upload',
      () => {
        const existing = this.getUpload(u.targetId, u.key);
        if (existing !== null) return existing;
        const at = this.now();
        this.stmt
          .get(
            `INSERT INTO uploads (target_id, key, point_id, file, size, part_size, upload_id, enc,
                                  created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(u.targetId, u.key, u.pointId, u.file, u.size, u.partSize, u.uploadId, u.enc ?? null, at, at);
        return this.getUpload(u.targetId, u.key)!;
      },
      true,
    );
  }

  getUpload(targetId: string, key: string): Upload | null {
    const r = this.stmt.get('SELECT * FROM uploads WHERE target_id = ? AND key = ?').get(targetId, key) as
      UploadRow | undefined;
    return r === undefined ? null : this.toUpload(r);
  }

  listUploads(targetId?: string): Upload[] {
    const where = new Where().eq('target_id', targetId);
    const rows = this.stmt.get(`SELECT * FROM uploads ${where} ORDER BY created_at, rowid`).all(where.params);
    return (rows as UploadRow[]).map((r) => this.toUpload(r));
  }

  recordPart(targetId: string, key: string, part: UploadPart): void {
    this.run(
      'record upload part',
      () => {
        if (this.getUpload(targetId, key) === null) {
          throw new VirtpointError('INVALID_STATE', `no upload of ${key} is in flight`);
        }
        this.stmt
          .get(
            `INSERT OR REPLACE INTO upload_parts (target_id, key, part_number, size, etag, checksum)
             VALUES (?, ?, ?, ?, ?, ?)`,
          )
          .run(targetId, key, part.partNumber, part.size, part.etag, part.checksum);
        this.stmt
          .get('UPDATE uploads SET updated_at = ? WHERE target_id = ? AND key = ?')
          .run(this.now(), targetId, key);
      },
      true,
    );
  }

  endUpload(targetId: string, key: string): void {
    this.run('end upload', () => {
      this.stmt.get('DELETE FROM uploads WHERE target_id = ? AND key = ?').run(targetId, key);
    });
  }

  private toUpload(r: UploadRow): Upload {
    const parts = this.stmt
      .get('SELECT * FROM upload_parts WHERE target_id = ? AND key = ? ORDER BY part_number')
      .all(r.target_id, r.key) as PartRow[];
    return {
      targetId: r.target_id,
      key: r.key,
      pointId: r.point_id,
      file: r.file,
      size: r.size,
      partSize: r.part_size,
      uploadId: r.upload_id,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      enc: r.enc,
      parts: parts.map((p) => ({
        partNumber: p.part_number,
        size: p.size,
        etag: p.etag,
        checksum: p.checksum,
      })),
    };
  }
}
