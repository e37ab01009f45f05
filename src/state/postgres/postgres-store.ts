import type { Client, Pool, PoolClient } from 'pg';
import { notFound, SandboxerError } from '../../core/errors.ts';
import { SANDBOX_ID_RE, SNAPSHOT_ID_RE } from '../../core/ids.ts';
import { SandboxRecord, SnapshotRecord } from '../../core/record.ts';
import {
  dollarParams,
  LEDGER_INDEX_COLLECTION,
  LEDGER_RESET,
  LEDGER_SUMMARY_SQL,
  ledgerStatements,
  ledgerSummary,
  type LedgerSummary,
  type Sql,
} from '../sql/ledger-index.ts';
import { parseBody, pendingMigrations, sandboxRow, snapshotRow, VERSION_TABLE } from '../sql/schema.ts';
import { claimOf, holderOf, type ClaimRow } from '../sql/claims.ts';
import {
  assertCollectionKey,
  claimArgs,
  claimToken,
  prefixEnd,
  scopeIdOf,
  type Claim,
  type ClaimHolder,
  type ClaimOptions,
  type StateStore,
} from '../store.ts';
import { inTransaction, withClient } from './client.ts';
import { cannotConnect, databaseAddress, redactUrl } from './url.ts';

export { redactUrl } from './url.ts';

/** Now, in epoch milliseconds, on the database server's clock: the one clock every replica's lease is read by. */
const NOW_MS = '(extract(epoch FROM clock_timestamp()) * 1000)::bigint';

/** Same number in every replica: only one of them migrates the schema at a time. */
const MIGRATE_LOCK = 0x5a4d_4254;

/**
 * The team store: PostgreSQL, shared by many CLI processes, CI jobs and `serve` replicas. Same schema as SQLite.
 * `updateSandbox` reads the row under SELECT … FOR UPDATE in a transaction, so concurrent transitions of one
 * sandbox queue on the row lock; `appendOnce` is INSERT … ON CONFLICT DO NOTHING, exactly once per key.
 * `pg` is loaded on first use, so nothing imports it unless a Postgres URL is configured.
 */
export class PostgresStateStore implements StateStore {
  readonly kind = 'postgres';
  readonly location: string;
  /** A digest of the database's address (server, port, database; no user or password): the same database,
   *  the same scope, whoever connects to it. */
  readonly scopeId: string;
  readonly shared = true;
  private pool: Promise<Pool> | undefined;

  constructor(
    private readonly url: string,
    private readonly opts: { max?: number } = {},
  ) {
    this.location = redactUrl(url);
    this.scopeId = scopeIdOf('pg', databaseAddress(url));
  }

  private connect(): Promise<Pool> {
    this.pool ??= (async () => {
      const { default: pg } = await import('pg');
      const pool = new pg.Pool({
        connectionString: this.url,
        max: this.opts.max ?? 10,
        allowExitOnIdle: true,
        connectionTimeoutMillis: 15_000,
      });
      // An idle client losing its connection must not crash the process; the next query reconnects.
      pool.on('error', () => undefined);
      await withClient(pool, this.location, (c) => this.migrate(c));
      return pool;
    })();
    this.pool.catch(() => (this.pool = undefined));
    return this.pool;
  }

  private async migrate(c: PoolClient): Promise<void> {
    await inTransaction(c, async () => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATE_LOCK]);
      await c.query(VERSION_TABLE);
      const { rows } = await c.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_version');
      for (const m of pendingMigrations(Number(rows[0]?.v ?? 0), this.location)) {
        for (const s of [...m.statements, ...(m.postgres ?? [])]) await c.query(s);
        if (m.reindexLedger) await this.reindexLedger(c);
        await c.query('INSERT INTO schema_version (version, description, applied_at) VALUES ($1, $2, $3)', [
          m.version,
          m.description,
          new Date().toISOString(),
        ]);
      }
    });
  }

  private async query<R extends Record<string, unknown>>(
    sql: string,
    params: unknown[] = [],
  ): Promise<{ rows: R[]; rowCount: number }> {
    const pool = await this.connect();
    try {
      const res = await pool.query<R>(sql, params);
      return { rows: res.rows, rowCount: res.rowCount ?? 0 };
    } catch (err) {
      throw this.wrap(err);
    }
  }

  private wrap(err: unknown): Error {
    if (err instanceof SandboxerError) return err;
    return new SandboxerError('state_store', `state database ${this.location}: ${(err as Error).message}`);
  }

  async createSandbox(record: SandboxRecord): Promise<void> {
    const r = sandboxRow(record);
    const res = await this.query(
      `INSERT INTO sandboxes (id, state, live, scope, created_at, revision, body)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
      [r.id, r.state, r.live, r.scope, r.created_at, r.revision, r.body],
    );
    if (res.rowCount === 0) throw new SandboxerError('conflict', `sandbox ${r.id} already exists`);
  }

  async getSandbox(id: string): Promise<SandboxRecord | undefined> {
    if (!SANDBOX_ID_RE.test(id)) return undefined;
    const { rows } = await this.query<{ body: string }>('SELECT body FROM sandboxes WHERE id = $1', [id]);
    return rows[0] && parseBody(rows[0].body, SandboxRecord, `sandbox ${id}`, this.location);
  }

  private async listWhere(where: string): Promise<SandboxRecord[]> {
    const { rows } = await this.query<{ id: string; body: string }>(
      `SELECT id, body FROM sandboxes ${where} ORDER BY created_at COLLATE "C", id COLLATE "C"`,
    );
    return rows.map((r) => parseBody(r.body, SandboxRecord, `sandbox ${r.id}`, this.location));
  }

  listSandboxes(): Promise<SandboxRecord[]> {
    return this.listWhere('');
  }

  /** Live records only (not terminal, or cleanup pending), through the partial index. */
  listLiveSandboxes(): Promise<SandboxRecord[]> {
    return this.listWhere('WHERE live = 1');
  }

  async updateSandbox(id: string, fn: (current: SandboxRecord) => SandboxRecord): Promise<SandboxRecord> {
    if (!SANDBOX_ID_RE.test(id)) throw notFound('sandbox', id);
    const pool = await this.connect();
    return withClient(pool, this.location, (c) =>
      inTransaction(c, async () => {
        let rows: { body: string }[];
        try {
          ({ rows } = await c.query<{ body: string }>('SELECT body FROM sandboxes WHERE id = $1 FOR UPDATE', [
            id,
          ]));
        } catch (err) {
          throw this.wrap(err);
        }
        if (!rows[0]) throw notFound('sandbox', id);
        const current = parseBody(rows[0].body, SandboxRecord, `sandbox ${id}`, this.location);
        const next = SandboxRecord.parse({ ...fn(current), revision: current.revision + 1 });
        const r = sandboxRow(next);
        try {
          await c.query(
            'UPDATE sandboxes SET state = $1, live = $2, scope = $3, revision = $4, body = $5 WHERE id = $6',
            [r.state, r.live, r.scope, r.revision, r.body, id],
          );
        } catch (err) {
          throw this.wrap(err);
        }
        return next;
      }),
    );
  }

  /** Write a record as it is (its own revision) unless the stored one is as new or newer: for imports. */
  async putSandboxIfNewer(record: SandboxRecord): Promise<boolean> {
    const r = sandboxRow(record);
    const res = await this.query(
      `INSERT INTO sandboxes (id, state, live, scope, created_at, revision, body)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (id) DO UPDATE SET state = excluded.state, live = excluded.live, scope = excluded.scope,
       created_at = excluded.created_at, revision = excluded.revision, body = excluded.body
       WHERE sandboxes.revision < excluded.revision`,
      [r.id, r.state, r.live, r.scope, r.created_at, r.revision, r.body],
    );
    return res.rowCount === 1;
  }

  async putSnapshot(record: SnapshotRecord): Promise<void> {
    const r = snapshotRow(record);
    await this.query(
      `INSERT INTO snapshots (id, sandbox_id, created_at, body) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO UPDATE SET sandbox_id = excluded.sandbox_id, created_at = excluded.created_at,
       body = excluded.body`,
      [r.id, r.sandbox_id, r.created_at, r.body],
    );
  }

  async getSnapshot(id: string): Promise<SnapshotRecord | undefined> {
    if (!SNAPSHOT_ID_RE.test(id)) return undefined;
    const { rows } = await this.query<{ body: string }>('SELECT body FROM snapshots WHERE id = $1', [id]);
    return rows[0] && parseBody(rows[0].body, SnapshotRecord, `snapshot ${id}`, this.location);
  }

  async listSnapshots(): Promise<SnapshotRecord[]> {
    const { rows } = await this.query<{ id: string; body: string }>(
      'SELECT id, body FROM snapshots ORDER BY created_at COLLATE "C", id COLLATE "C"',
    );
    return rows.map((r) => parseBody(r.body, SnapshotRecord, `snapshot ${r.id}`, this.location));
  }

  async appendOnce(collection: string, key: string, value: unknown): Promise<boolean> {
    assertCollectionKey(collection, key);
    const insert =
      'INSERT INTO collection_entries (collection, key, body) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING';
    const params = [collection, key, JSON.stringify(value)];
    if (collection !== LEDGER_INDEX_COLLECTION) return (await this.query(insert, params)).rowCount === 1;
    // A ledger entry and its effect on the running balance commit together. Ledger writers queue on the totals
    // row first, so a hold and the debit closing its sandbox never interleave.
    return this.ledgerTx(async (c) => {
      const added = ((await c.query(insert, params)).rowCount ?? 0) === 1;
      if (added) await this.run(c, ledgerStatements(value));
      return added;
    });
  }

  private async ledgerTx<T>(fn: (c: PoolClient) => Promise<T>): Promise<T> {
    const pool = await this.connect();
    return withClient(pool, this.location, (c) =>
      inTransaction(c, async () => {
        try {
          await c.query('SELECT id FROM ledger_totals WHERE id = 1 FOR UPDATE');
          return await fn(c);
        } catch (err) {
          throw this.wrap(err);
        }
      }),
    );
  }

  private async run(c: PoolClient, statements: Sql[]): Promise<void> {
    for (const { sql, params } of statements) await c.query(dollarParams(sql), params);
  }

  /** Recompute the running balance from every ledger entry (inside the caller's transaction). */
  private async reindexLedger(c: PoolClient): Promise<void> {
    await this.run(c, LEDGER_RESET);
    const { rows } = await c.query<{ body: string }>(
      'SELECT body FROM collection_entries WHERE collection = $1 ORDER BY key COLLATE "C"',
      [LEDGER_INDEX_COLLECTION],
    );
    for (const r of rows) await this.run(c, ledgerStatements(JSON.parse(r.body)));
  }

  /** The ledger's running balance: grants, debits and open holds, without reading the entries. */
  async ledgerSummary(): Promise<LedgerSummary | undefined> {
    const { rows } = await this.query(LEDGER_SUMMARY_SQL);
    return ledgerSummary(rows[0]);
  }

  async readCollection(collection: string): Promise<{ key: string; value: unknown }[]> {
    assertCollectionKey(collection);
    const { rows } = await this.query<{ key: string; body: string }>(
      'SELECT key, body FROM collection_entries WHERE collection = $1 ORDER BY key COLLATE "C"',
      [collection],
    );
    return rows.map((r) => ({ key: r.key, value: JSON.parse(r.body) as unknown }));
  }

  async readCollectionPrefix(collection: string, prefix: string): Promise<{ key: string; value: unknown }[]> {
    assertCollectionKey(collection, prefix);
    const { rows } = await this.query<{ key: string; body: string }>(
      `SELECT key, body FROM collection_entries WHERE collection = $1 AND key COLLATE "C" >= $2
       AND key COLLATE "C" < $3 ORDER BY key COLLATE "C"`,
      [collection, prefix, prefixEnd(prefix)],
    );
    return rows.map((r) => ({ key: r.key, value: JSON.parse(r.body) as unknown }));
  }

  async removeFromCollection(collection: string, key: string): Promise<void> {
    assertCollectionKey(collection, key);
    const remove = 'DELETE FROM collection_entries WHERE collection = $1 AND key = $2';
    if (collection !== LEDGER_INDEX_COLLECTION) await this.query(remove, [collection, key]);
    else
      await this.ledgerTx(async (c) => {
        if (((await c.query(remove, [collection, key])).rowCount ?? 0) > 0) await this.reindexLedger(c);
      });
  }

  async getEntry(collection: string, key: string): Promise<unknown> {
    assertCollectionKey(collection, key);
    const { rows } = await this.query<{ body: string }>(
      'SELECT body FROM collection_entries WHERE collection = $1 AND key = $2',
      [collection, key],
    );
    return rows[0] ? (JSON.parse(rows[0].body) as unknown) : undefined;
  }

  /**
   * One statement, one transaction: the claimable rows are picked under FOR UPDATE SKIP LOCKED (a row another
   * claimer is marking is passed over, not waited for; a row it marked meanwhile fails the re-checked lease
   * condition) and marked with our token and lease in the same UPDATE.
   */
  async claimEntries(collection: string, opts: ClaimOptions): Promise<Claim[]> {
    const a = claimArgs(collection, opts);
    const { rows } = await this.query<ClaimRow & Record<string, unknown>>(
      `WITH picked AS (
         SELECT collection, key FROM collection_entries
         WHERE collection = $1 AND (claim_until IS NULL OR claim_until <= ${NOW_MS})
           AND ($2::text[] IS NULL OR key = ANY($2::text[])) AND NOT (key = ANY($3::text[]))
         ORDER BY key COLLATE "C" LIMIT $4
         FOR UPDATE SKIP LOCKED
       )
       UPDATE collection_entries e SET claim_token = $5, claim_owner = $6, claim_until = ${NOW_MS} + $7
       FROM picked WHERE e.collection = picked.collection AND e.key = picked.key
       RETURNING e.key, e.body, e.claim_token, e.claim_owner, e.claim_until`,
      [collection, a.keys ? [...a.keys] : null, [...a.skip], a.limit, claimToken(), a.owner, a.leaseMs],
    );
    return rows.map(claimOf).sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  }

  async releaseClaim(collection: string, key: string, token: string): Promise<boolean> {
    assertCollectionKey(collection, key);
    const res = await this.query(
      `UPDATE collection_entries SET claim_token = NULL, claim_owner = NULL, claim_until = NULL
       WHERE collection = $1 AND key = $2 AND claim_token = $3`,
      [collection, key, token],
    );
    return res.rowCount === 1;
  }

  async listClaims(collection: string): Promise<ClaimHolder[]> {
    assertCollectionKey(collection);
    const { rows } = await this.query<Omit<ClaimRow, 'body'> & Record<string, unknown>>(
      `SELECT key, claim_token, claim_owner, claim_until FROM collection_entries
       WHERE collection = $1 AND claim_until > ${NOW_MS} ORDER BY key COLLATE "C"`,
      [collection],
    );
    return rows.map(holderOf);
  }

  async getMeta(key: string): Promise<string | undefined> {
    const { rows } = await this.query<{ value: string }>('SELECT value FROM meta WHERE key = $1', [key]);
    return rows[0]?.value;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.query(
      'INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      [key, value],
    );
  }

  /**
   * A dedicated connection outside the pool, for session-scoped state (advisory locks held while the process
   * lives: src/state/replicas/pg-coordinator.ts). The schema is migrated first. TCP keepalive is on, so a holder
   * whose machine vanishes loses its session (and its locks) within about a minute rather than hours.
   */
  async openSession(): Promise<Client> {
    await this.connect();
    const { default: pg } = await import('pg');
    const client = new pg.Client({
      connectionString: this.url,
      connectionTimeoutMillis: 15_000,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    try {
      await client.connect();
    } catch (err) {
      throw cannotConnect(this.location, err);
    }
    return client;
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    if (pool) await (await pool.catch(() => undefined))?.end();
  }
}
