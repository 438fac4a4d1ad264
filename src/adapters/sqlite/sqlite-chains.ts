/**
 * Row access for chains (used by SqliteCatalog, which owns transactions). A chain has an owner
 * (a task, or null: manual backups) and at most one open chain per domain + disk set + owner.
 * A pending chain opens, and seals the chain it replaces, in the transaction that makes its full
 * point available; it fails when that point fails (see migration-v7.ts).
 */

import { VirtpointError } from '../../core/errors.js';
import { validateChainLength } from '../../core/limits.js';
import { diskSetKey, newId, type RandomBytes } from '../../core/names.js';
import type { PointState } from '../../core/point-state.js';
import type { Chain, ChainFilter, ChainSealReason, NewChain, Point } from '../../ports/catalog.js';
import { Where, type StatementCache } from './query.js';
import { toChain, type ChainRow } from './rows.js';

export class SqliteChains {
  constructor(
    private readonly stmt: StatementCache,
    private readonly now: () => number,
    private readonly random: RandomBytes,
  ) {}

  /** Call inside a transaction; the domain must exist. */
  create(input: NewChain): Chain {
    const maxLength = validateChainLength(input.maxLength);
    const key = diskSetKey(input.diskSet);
    const owner = input.owner ?? null;
    const pending = input.pending === true;
    if (input.seal !== undefined) {
      const old = this.require(input.seal.chainId);
      if (old.domainUuid !== input.domainUuid || (old.ownerTaskId ?? null) !== (owner?.taskId ?? null)) {
        throw new VirtpointError(
          'INVALID_ARGUMENT',
          `chain ${old.id} belongs to another domain or owner; a new chain replaces only its own`,
        );
      }
      if (!pending) this.seal(input.seal.chainId, input.seal.reason);
    }
    if (!pending && this.getOpen(input.domainUuid, input.diskSet, owner?.taskId ?? null) !== null) {
      throw new VirtpointError(
        'ALREADY_EXISTS',
        `domain ${input.domainUuid} already has an open chain for disks ${key} of this owner; seal it first`,
      );
    }
    const id = newId(this.random);
    this.stmt
      .get(
        `INSERT INTO chains (id, domain_uuid, disk_set, max_length, state, owner_task_id, owner_name, replaces,
           created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        input.domainUuid,
        key,
        maxLength,
        pending ? 'pending' : 'open',
        owner?.taskId ?? null,
        owner?.name ?? null,
        pending ? (input.seal?.chainId ?? null) : null,
        this.now(),
      );
    return this.require(id);
  }

  get(id: string): Chain | null {
    const r = this.stmt.get('SELECT * FROM chains WHERE id = ?').get(id) as ChainRow | undefined;
    return r === undefined ? null : toChain(r);
  }

  require(id: string): Chain {
    const c = this.get(id);
    if (c === null) throw new VirtpointError('CHAIN_NOT_FOUND', `chain ${id} is not in the catalog`);
    return c;
  }

  list(filter: ChainFilter): Chain[] {
    const where = new Where()
      .eq('domain_uuid', filter.domainUuid)
      .eq('state', filter.state)
      .eq('disk_set', filter.diskSet === undefined ? undefined : diskSetKey(filter.diskSet))
      .eqExpr(
        "IFNULL(owner_task_id, '')",
        'owner',
        filter.owner === undefined ? undefined : (filter.owner ?? ''),
      );
    const sql = `SELECT * FROM chains ${where} ORDER BY created_at, rowid`;
    return (this.stmt.get(sql).all(where.params) as ChainRow[]).map(toChain);
  }

  getOpen(domainUuid: string, diskSet: readonly string[], owner: string | null): Chain | null {
    const r = this.stmt
      .get(
        `SELECT * FROM chains WHERE domain_uuid = ? AND disk_set = ? AND IFNULL(owner_task_id, '') = ?
           AND state = 'open'`,
      )
      .get(domainUuid, diskSetKey(diskSet), owner ?? '') as ChainRow | undefined;
    return r === undefined ? null : toChain(r);
  }

  getLatest(domainUuid: string, diskSet: readonly string[], owner: string | null): Chain | null {
    const r = this.stmt
      .get(
        `SELECT * FROM chains WHERE domain_uuid = ? AND disk_set = ? AND IFNULL(owner_task_id, '') = ?
           AND state IN ('open', 'sealed')
         ORDER BY created_at DESC, rowid DESC LIMIT 1`,
      )
      .get(domainUuid, diskSetKey(diskSet), owner ?? '') as ChainRow | undefined;
    return r === undefined ? null : toChain(r);
  }

  /** Seals an open chain; any other state is returned unchanged. */
  seal(id: string, reason: ChainSealReason): Chain {
    const chain = this.require(id);
    if (chain.state !== 'open') return chain;
    this.stmt
      .get(`UPDATE chains SET state = 'sealed', seal_reason = ?, sealed_at = ? WHERE id = ?`)
      .run(reason, this.now(), id);
    return this.require(id);
  }

  delete(id: string): void {
    this.require(id);
    this.stmt.get('DELETE FROM chains WHERE id = ?').run(id);
  }

  /**
   * A point of a pending chain changed state (inside the transaction that changes it): its full
   * point `available` opens the chain and seals the one it replaces; `error` fails the chain.
   */
  pointStateChanged(point: Point, to: PointState): void {
    const chain = this.require(point.chainId);
    if (chain.state !== 'pending' || point.kind !== 'full') return;
    if (to === 'available') {
      if (chain.replaces !== null) {
        const old = this.get(chain.replaces);
        if (old !== null) this.seal(old.id, point.newChainReason ?? 'requested');
      }
      if (this.getOpen(chain.domainUuid, chain.diskSet, chain.ownerTaskId) !== null) {
        throw new VirtpointError(
          'INVALID_STATE',
          `chain ${chain.id} cannot open: another chain of its domain, disks and owner is open`,
        );
      }
      this.stmt.get(`UPDATE chains SET state = 'open', replaces = NULL WHERE id = ?`).run(chain.id);
    } else if (to === 'error') {
      this.stmt.get(`UPDATE chains SET state = 'failed', replaces = NULL WHERE id = ?`).run(chain.id);
    }
  }
}
