/**
 * The Catalog on better-sqlite3: WAL, foreign keys on, a busy timeout, synchronous=FULL,
 * migrations by PRAGMA user_version (migrations.ts, where the schema is documented), prepared
 * statements cached per SQL text. Every point state change runs in one IMMEDIATE transaction
 * that re-reads the row and checks the transition. `path: ':memory:'` gives a private in-memory
 * catalog for tests. The files are made 0600 when the catalog opens (file-modes.ts).
 */

import { randomBytes } from 'node:crypto';

import Sqlite, { type Database } from 'better-sqlite3';

import { VirtpointError } from '../../core/errors.js';
import { diskSetKey, isValidId, newId, validatePointName, type RandomBytes } from '../../core/names.js';
import { assertTransition, type PointState } from '../../core/point-state.js';
import { isValidDomainUuid, resolveStorePath } from '../../core/store-layout.js';
import type {
  Catalog,
  Chain,
  ChainFilter,
  ChainSealReason,
  CodedError,
  Consistency,
  Domain,
  DomainUsage,
  NewChain,
  NewPoint,
  Point,
  PointFilter,
  PointStatePatch,
} from '../../ports/catalog.js';
import { restrictCatalogFiles } from './file-modes.js';
import { migrate } from './migrations.js';
import { nonNegInt, StatementCache } from './query.js';
import { SqliteArtifacts } from './sqlite-artifacts.js';
import { SqliteChains } from './sqlite-chains.js';
import { SqliteJobs } from './sqlite-jobs.js';
import type { Transact } from './transact.js';
import { SqlitePoints } from './sqlite-points.js';
import { SqliteRecovery } from './sqlite-recovery.js';
import { SqliteScheduling } from './sqlite-scheduling.js';
import { SqliteVerify } from './sqlite-verify.js';
import { SqliteCopies } from './sqlite-copies.js';
import { toDomain, translateSqliteError, type DomainRow } from './rows.js';

export interface SqliteCatalogOptions {
  /** Database file, or `:memory:`. */
  readonly path: string;
  /** Random source for ids; default crypto.randomBytes. */
  readonly random?: RandomBytes;
  /** Clock in ms since the epoch; default Date.now. */
  readonly now?: () => number;
  /** How long to wait for a lock held by another connection; default 5000 ms. */
  readonly busyTimeoutMs?: number;
}

const STORE_CHECK_ROOT = '/store';

export class SqliteCatalog implements Catalog {
  /** The connection (tests and maintenance only; the service uses the Catalog methods). */
  readonly db: Database;
  private readonly random: RandomBytes;
  private readonly now: () => number;
  private readonly statements: StatementCache;
  readonly jobs: SqliteJobs;
  private readonly points: SqlitePoints;
  private readonly chains: SqliteChains;
  readonly artifacts: SqliteArtifacts;
  /** Policies, tasks, runs, scheduler state (sqlite-scheduling.ts). */
  readonly scheduling: SqliteScheduling;
  readonly recovery: SqliteRecovery;
  readonly verify: SqliteVerify;
  readonly copies: SqliteCopies;

  constructor(options: SqliteCatalogOptions) {
    this.random = options.random ?? randomBytes;
    this.now = options.now ?? Date.now;
    this.db = SqliteCatalog.open(options);
    this.statements = new StatementCache(this.db);
    const transact: Transact = (what, fn, immediate) => this.run(what, fn, immediate);
    this.jobs = new SqliteJobs(this.statements, transact, this.now, this.random);
    this.points = new SqlitePoints(this.statements, this.now);
    this.chains = new SqliteChains(this.statements, this.now, this.random);
    this.artifacts = new SqliteArtifacts(this.statements, transact, this.now, this.random);
    this.scheduling = new SqliteScheduling(this.db, this.statements, this.now, this.random);
    this.recovery = new SqliteRecovery(this.db, this.statements, transact, this.now);
    this.verify = new SqliteVerify(this.statements, transact, this.now, this.points, this.chains);
    this.copies = new SqliteCopies(this.statements, transact, this.now, this.random);
  }

  /** Opens the database, sets the pragmas and migrates; closes it again on failure. */
  private static open(options: SqliteCatalogOptions): Database {
    let db: Database | undefined;
    try {
      db = new Sqlite(options.path, { timeout: options.busyTimeoutMs ?? 5000 });
      db.pragma('journal_mode = WAL');
      db.pragma('foreign_keys = ON');
      db.pragma('synchronous = FULL');
      // A damaged file fails here, clearly, rather than in the middle of some later job.
      const check = db.pragma('quick_check', { simple: true }) as string;
      if (check !== 'ok') {
        throw Object.assign(new Error(`database disk image is malformed (${check})`), {
          code: 'SQLITE_CORRUPT',
        });
      }
      migrate(db);
      restrictCatalogFiles(options.path); // -wal and -shm exist now
      return db;
    } catch (e) {
      db?.close();
      throw translateSqliteError(e, `opening ${options.path}`);
    }
  }

  private stmt(sql: string) {
    return this.statements.get(sql);
  }

  private run<T>(what: string, fn: () => T, immediate = false): T {
    try {
      const tx = this.db.transaction(fn);
      return immediate ? tx.immediate() : tx();
    } catch (e) {
      throw translateSqliteError(e, what);
    }
  }

  transaction<T>(fn: () => T): T {
    return this.run('transaction', fn, true);
  }

  checkpoint(): void {
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch (e) {
      throw translateSqliteError(e, 'checkpoint');
    }
  }

  close(): void {
    this.db.close();
  }

  // ---- domains ----

  upsertDomain(domain: { uuid: string; name: string }): Domain {
    return this.run('upsert domain', () => {
      if (!isValidDomainUuid(domain.uuid)) {
        throw new VirtpointError('INVALID_ARGUMENT', `invalid domain UUID ${JSON.stringify(domain.uuid)}`);
      }
      const t = this.now();
      this.stmt(
        `INSERT INTO domains (uuid, name, first_seen_at, last_seen_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (uuid) DO UPDATE SET name = excluded.name, last_seen_at = excluded.last_seen_at`,
      ).run(domain.uuid, domain.name, t, t);
      return this.requireDomain(domain.uuid);
    });
  }

  getDomain(uuid: string): Domain | null {
    const r = this.stmt('SELECT * FROM domains WHERE uuid = ?').get(uuid) as DomainRow | undefined;
    return r === undefined ? null : toDomain(r);
  }

  listDomains(): Domain[] {
    return (this.stmt('SELECT * FROM domains ORDER BY name, uuid').all() as DomainRow[]).map(toDomain);
  }

  private requireDomain(uuid: string): Domain {
    const d = this.getDomain(uuid);
    if (d === null) throw new VirtpointError('DOMAIN_NOT_FOUND', `domain ${uuid} is not in the catalog`);
    return d;
  }

  // ---- chains ----

  createChain(input: NewChain): Chain {
    return this.run(
      'create chain',
      () => {
        this.requireDomain(input.domainUuid);
        return this.chains.create(input);
      },
      true,
    );
  }

  getChain(id: string): Chain | null {
    return this.chains.get(id);
  }

  listChains(filter: ChainFilter = {}): Chain[] {
    return this.chains.list(filter);
  }

  getOpenChain(domainUuid: string, diskSet: readonly string[], owner: string | null = null): Chain | null {
    return this.chains.getOpen(domainUuid, diskSet, owner);
  }

  getLatestChain(domainUuid: string, diskSet: readonly string[], owner: string | null = null): Chain | null {
    return this.chains.getLatest(domainUuid, diskSet, owner);
  }

  sealChain(id: string, reason: ChainSealReason): Chain {
    return this.run('seal chain', () => this.chains.seal(id, reason));
  }

  deleteChain(id: string): void {
    this.run('delete chain', () => this.chains.delete(id));
  }

  // ---- points ----

  createPoint(input: NewPoint): Point {
    const what = 'create point';
    return this.run(
      what,
      () => {
        const chain = this.chains.require(input.chainId);
        const bad = (code: 'INVALID_ARGUMENT' | 'INVALID_STATE' | 'ALREADY_EXISTS', message: string) =>
          new VirtpointError(code, `cannot create point ${JSON.stringify(input.name)}: ${message}`);
        if (chain.domainUuid !== input.domainUuid) {
          throw bad('INVALID_ARGUMENT', `chain ${chain.id} belongs to domain ${chain.domainUuid}`);
        }
        if (chain.state !== 'open' && chain.state !== 'pending') {
          throw bad('INVALID_STATE', `chain ${chain.id} is ${chain.state}`);
        }
        validatePointName(input.name);
        if ((input.kind === 'full') !== (nonNegInt(input.seq, 'seq') === 0)) {
          throw bad('INVALID_ARGUMENT', 'a full point has seq 0 and an incremental one seq > 0');
        }
        if (diskSetKey(input.disks.map((d) => d.target)) !== chain.diskSet.join(',')) {
          throw bad('INVALID_ARGUMENT', `its disks differ from the disk set of chain ${chain.id}`);
        }
        for (const d of input.disks) resolveStorePath(STORE_CHECK_ROOT, d.path);
        if (this.points.getByName(input.domainUuid, input.name) !== null) {
          throw bad('ALREADY_EXISTS', `domain ${input.domainUuid} already has a point of that name`);
        }
        const id = input.id ?? newId(this.random);
        if (!isValidId(id)) throw bad('INVALID_ARGUMENT', `invalid point id ${JSON.stringify(id)}`);
        if (this.points.get(id) !== null) throw bad('ALREADY_EXISTS', `point ${id} exists`);
        this.points.insert(id, input);
        return this.points.require(id);
      },
      true,
    );
  }

  getPoint(id: string): Point | null {
    return this.points.get(id);
  }

  getPointByName(domainUuid: string, name: string): Point | null {
    return this.points.getByName(domainUuid, name);
  }

  listPoints(filter: PointFilter = {}): Point[] {
    return this.run('list points', () => this.points.list(filter));
  }

  updatePointState(id: string, to: PointState, patch: PointStatePatch = {}): Point {
    return this.run(
      'update point state',
      () => {
        const cur = this.points.require(id);
        assertTransition(cur.state, to, id);
        this.points.write(cur, { ...patch, state: to });
        this.chains.pointStateChanged(cur, to);
        if (to === 'error' && (cur.state === 'available' || cur.state === 'restoring')) {
          this.chains.seal(cur.chainId, 'previous-point-unusable');
        }
        return this.points.require(id);
      },
      true,
    );
  }

  setPointError(id: string, error: CodedError): Point {
    return this.updatePointState(id, 'error', { error });
  }

  setPointSizes(id: string, sizes: Readonly<Record<string, number>>): Point {
    return this.run('set point sizes', () => {
      this.points.require(id);
      this.points.writeSizes(id, sizes);
      return this.points.require(id);
    });
  }

  setPointCapture(
    id: string,
    capture: { consistency: Consistency; consistencyReason?: string | null; freezeMs?: number | null },
  ): Point {
    return this.run('set point capture', () => {
      this.points.write(this.points.require(id), {
        consistency: capture.consistency,
        consistencyReason: capture.consistencyReason ?? null,
        freezeMs: capture.freezeMs ?? null,
      });
      return this.points.require(id);
    });
  }

  deletePoint(id: string): void {
    this.run('delete point', () => this.points.delete(id));
  }

  makeSyntheticFull(id: string): Point {
    return this.run(
      'make synthetic full',
      () => {
        const cur = this.points.require(id);
        const before = this.points.list({ chainId: cur.chainId }).filter((p) => p.seq < cur.seq);
        const oldFull = before.find((p) => p.kind === 'full');
        const blocker = before.find((p) => p.state !== 'deleting' && p.state !== 'error');
        if (
          cur.kind !== 'incremental' ||
          cur.state !== 'available' ||
          blocker ||
          oldFull?.state !== 'deleting'
        ) {
          throw new VirtpointError(
            'INVALID_STATE',
            `point ${id} cannot become the full point of chain ${cur.chainId}: ` +
              (cur.kind !== 'incremental' || cur.state !== 'available'
                ? `it is a ${cur.kind} point in state ${cur.state} (needs an available incremental)`
                : blocker
                  ? `point ${blocker.id} (seq ${blocker.seq}) before it is ${blocker.state}`
                  : "the chain's full point before it is not being deleted"),
          );
        }
        this.stmt('UPDATE points SET kind = ?, new_chain_reason = ?, updated_at = ? WHERE id = ?').run(
          'full',
          oldFull.newChainReason,
          this.now(),
          id,
        );
        return this.points.require(id);
      },
      true,
    );
  }

  // ---- usage ----

  private static readonly USAGE_SQL = `
    SELECT c.domain_uuid AS domainUuid, COUNT(DISTINCT c.id) AS chains, COUNT(DISTINCT p.id) AS points,
           COALESCE(SUM(d.size), 0) AS bytes
    FROM chains c LEFT JOIN points p ON p.chain_id = c.id LEFT JOIN point_disks d ON d.point_id = p.id`;

  usage(): DomainUsage[] {
    return this.stmt(
      `${SqliteCatalog.USAGE_SQL} GROUP BY c.domain_uuid ORDER BY c.domain_uuid`,
    ).all() as DomainUsage[];
  }

  domainUsage(domainUuid: string): DomainUsage {
    const r = this.stmt(`${SqliteCatalog.USAGE_SQL} WHERE c.domain_uuid = ? GROUP BY c.domain_uuid`).get(
      domainUuid,
    ) as DomainUsage | undefined;
    return r ?? { domainUuid, chains: 0, points: 0, bytes: 0 };
  }
}
