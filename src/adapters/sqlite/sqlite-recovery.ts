/**
 * Recovery side of the SQLite catalog (ports/recovery-catalog.ts): the online backup into a
 * private file, and the import of rebuilt chains and points with their own ids and times.
 */

import { randomBytes } from 'node:crypto';
import { chmod, rename, rm } from 'node:fs/promises';
import type { Database } from 'better-sqlite3';
import { VirtpointError } from '../../core/errors.js';
import { diskSetKey } from '../../core/names.js';
import type { Domain } from '../../ports/catalog.js';
import type { ImportedChain, RecoveryCatalog } from '../../ports/catalog.js';
import type { StatementCache } from './query.js';
import { translateSqliteError } from './rows.js';
import type { Transact } from './transact.js';

export class SqliteRecovery implements RecoveryCatalog {
  constructor(
    private readonly db: Database,
    private readonly stmt: StatementCache,
    private readonly transact: Transact,
    private readonly now: () => number,
  ) {}

  isEmpty(): boolean {
    const r = this.stmt
      .get('SELECT (SELECT COUNT(*) FROM chains) + (SELECT COUNT(*) FROM points) AS n')
      .get() as { n: number };
    return r.n === 0;
  }

  importChains(domains: readonly Pick<Domain, 'uuid' | 'name'>[], chains: readonly ImportedChain[]): void {
    this.transact(
      'import rebuilt chains',
      () => {
        if (!this.isEmpty()) {
          throw new VirtpointError(
            'INVALID_STATE',
            'the catalog already holds chains or points; a rebuild only fills an empty catalog',
          );
        }
        const t = this.now();
        for (const d of domains) {
          this.stmt
            .get(
              `INSERT INTO domains (uuid, name, first_seen_at, last_seen_at) VALUES (?, ?, ?, ?)
               ON CONFLICT (uuid) DO UPDATE SET name = excluded.name`,
            )
            .run(d.uuid, d.name, t, t);
        }
        for (const { chain: c, points } of chains) {
          this.stmt
            .get(
              `INSERT INTO chains (id, domain_uuid, disk_set, max_length, state, seal_reason, owner_task_id,
                 owner_name, created_at, sealed_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            )
            .run(
              c.id,
              c.domainUuid,
              diskSetKey(c.diskSet),
              c.maxLength,
              c.state,
              c.sealReason,
              c.ownerTaskId,
              c.ownerName,
              c.createdAt,
              c.sealedAt,
            );
          for (const p of points) {
            this.stmt
              .get(
                `INSERT INTO points (id, name, domain_uuid, chain_id, seq, kind, state, consistency,
                   consistency_reason, freeze_ms, new_chain_reason, trigger, created_at, updated_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
              )
              .run(
                p.id,
                p.name,
                p.domainUuid,
                p.chainId,
                p.seq,
                p.kind,
                p.state,
                p.consistency,
                p.consistencyReason,
                p.freezeMs,
                p.newChainReason,
                p.trigger,
                p.createdAt,
                p.updatedAt,
              );
            for (const d of p.disks) {
              this.stmt
                .get(
                  `INSERT INTO point_disks (point_id, target, path, virtual_size, size, format, checkpoint,
                     file_size, sha256)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
                )
                .run(
                  p.id,
                  d.target,
                  d.path,
                  d.virtualSize,
                  d.size,
                  d.format,
                  d.checkpoint,
                  d.fileSize,
                  d.sha256,
                );
            }
          }
        }
      },
      true,
    );
  }

  async backupTo(path: string): Promise<void> {
    const tmp = `${path}.virtpoint-tmp-${randomBytes(6).toString('hex')}`;
    try {
      await this.db.backup(tmp);
      await chmod(tmp, 0o600);
      await rename(tmp, path);
    } catch (e) {
      await rm(tmp, { force: true });
      throw translateSqliteError(e, `backup to ${path}`);
    }
  }
}
