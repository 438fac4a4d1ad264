/**
 * The verify side of the catalog (ports/verify-catalog.ts): checksums of point files and verify
 * results, with the corrupt marking and chain sealing in the same transaction.
 */

import { VirtpointError } from '../../core/errors.js';
import { assertTransition } from '../../core/point-state.js';
import type { Point } from '../../ports/catalog.js';
import type { FileChecksum } from '../../ports/fs.js';
import type { VerifyCatalog, VerifyOutcome } from '../../ports/verify-catalog.js';
import { nonNegInt, type StatementCache } from './query.js';
import type { PointRow } from './rows.js';
import type { SqliteChains } from './sqlite-chains.js';
import type { SqlitePoints } from './sqlite-points.js';
import type { Transact } from './transact.js';

export class SqliteVerify implements VerifyCatalog {
  constructor(
    private readonly stmt: StatementCache,
    private readonly transact: Transact,
    private readonly now: () => number,
    private readonly points: SqlitePoints,
    private readonly chains: SqliteChains,
  ) {}

  recordChecksums(pointId: string, checksums: Readonly<Record<string, FileChecksum | null>>): Point {
    return this.transact('record checksums', () => {
      this.points.require(pointId);
      this.points.writeChecksums(pointId, checksums);
      return this.points.require(pointId);
    });
  }

  recordVerify(outcome: VerifyOutcome): Point {
    return this.transact(
      'record verify',
      () => {
        const point = this.points.require(outcome.pointId);
        const at = this.now();
        const write = this.stmt.get(
          'UPDATE points SET verify_state = ?, verified_at = ?, verify_detail = ?, updated_at = ? WHERE id = ?',
        );
        write.run(outcome.ok ? 'ok' : 'failed', at, JSON.stringify(outcome.detail), at, point.id);
        if (outcome.ok && outcome.corrupt.length > 0) {
          throw new VirtpointError('INTERNAL', 'a verify that found nothing wrong names corrupt points');
        }
        const sealed = new Set<string>();
        for (const id of outcome.corrupt) {
          const p = this.points.require(id);
          if (p.state === 'corrupt') continue;
          assertTransition(p.state, 'corrupt', id);
          if (p.chainId !== point.chainId) {
            throw new VirtpointError('INTERNAL', `point ${id} is not in chain ${point.chainId}`);
          }
          this.points.write(p, { state: 'corrupt' });
          if (id !== point.id) write.run('failed', at, JSON.stringify(outcome.detail), at, id);
          if (!sealed.has(p.chainId)) {
            this.chains.seal(p.chainId, 'previous-point-corrupt');
            sealed.add(p.chainId);
          }
        }
        return this.points.require(point.id);
      },
      true,
    );
  }

  listDue(before: number, limit: number): Point[] {
    const rows = this.stmt
      .get(
        `SELECT id FROM points WHERE state = 'available' AND (verified_at IS NULL OR verified_at < ?)
         ORDER BY verified_at IS NOT NULL, verified_at, created_at, seq, rowid LIMIT ?`,
      )
      .all(before, nonNegInt(limit, 'limit')) as Pick<PointRow, 'id'>[];
    return rows.map((r) => this.points.require(r.id));
  }
}
