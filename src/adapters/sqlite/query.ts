/** Small helpers shared by the catalog parts: a prepared-statement cache and a WHERE builder. */

import type { Database, Statement } from 'better-sqlite3';

import { VirtpointError } from '../../core/errors.js';

export type Params = Record<string, unknown>;

/** Prepared statements cached per SQL text (filters give a few variants each). */
export class StatementCache {
  private readonly cache = new Map<string, Statement>();
  constructor(private readonly db: Database) {}

  get(sql: string): Statement {
    let s = this.cache.get(sql);
    if (s === undefined) this.cache.set(sql, (s = this.db.prepare(sql)));
    return s;
  }
}

/** Builds `WHERE a = @a AND b IN (@b0, @b1)` with named parameters. */
export class Where {
  readonly params: Params = {};
  private readonly parts: string[] = [];

  /** `column = @column` when value is defined. */
  eq(column: string, value: unknown): this {
    if (value !== undefined) {
      this.parts.push(`${column} = @${column}`);
      this.params[column] = value;
    }
    return this;
  }

  /** `expr = @name` when value is defined (expr is fixed SQL, never user input). */
  eqExpr(expr: string, name: string, value: unknown): this {
    if (value !== undefined) {
      this.parts.push(`${expr} = @${name}`);
      this.params[name] = value;
    }
    return this;
  }

  /** `column IN (…)` for one value or a list (an empty list matches nothing). */
  in(column: string, value: string | readonly string[] | undefined): this {
    if (value === undefined) return this;
    const values: readonly string[] = typeof value === 'string' ? [value] : value;
    if (values.length === 0) {
      this.parts.push('0');
      return this;
    }
    values.forEach((v, i) => (this.params[`${column}${i}`] = v));
    this.parts.push(`${column} IN (${values.map((_, i) => `@${column}${i}`).join(', ')})`);
    return this;
  }

  /** `column <op> @name` when value is defined. */
  cmp(column: string, op: '<' | '>=', name: string, value: number | undefined): this {
    if (value !== undefined) {
      this.parts.push(`${column} ${op} @${name}`);
      this.params[name] = value;
    }
    return this;
  }

  /** A raw condition with its named parameters (the caller writes safe SQL). */
  raw(condition: string, params: Params): this {
    this.parts.push(condition);
    Object.assign(this.params, params);
    return this;
  }

  toString(): string {
    return this.parts.length === 0 ? '' : `WHERE ${this.parts.join(' AND ')}`;
  }
}

export function nonNegInt(n: number, what: string): number {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new VirtpointError('INVALID_ARGUMENT', `${what} must be a whole number ≥ 0, got ${n}`);
  }
  return n;
}
