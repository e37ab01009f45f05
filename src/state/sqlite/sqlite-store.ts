import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { notFound, SandboxerError } from '../../core/errors.ts';
import { SANDBOX_ID_RE, SNAPSHOT_ID_RE } from '../../core/ids.ts';
import { SandboxRecord, SnapshotRecord } from '../../core/record.ts';
import { parseBody, pendingMigrations, sandboxRow, snapshotRow, VERSION_TABLE } from '../sql/schema.ts';
import {
  LEDGER_INDEX_COLLECTION,
  LEDGER_RESET,
  LEDGER_SUMMARY_SQL,
  ledgerStatements,
  ledgerSummary,
  type LedgerSummary,
  type Sql,
} from '../sql/ledger-index.ts';
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

type SqlValue = string | number | bigint | null;
interface Statement {
  run(...params: SqlValue[]): { changes: number | bigint };
  get(...params: SqlValue[]): Record<string, unknown> | undefined;
  all(...params: SqlValue[]): Record<string, unknown>[];
}
interface Database {
  exec(sql: string): void;
  prepare(sql: string): Statement;
  close(): void;
}
interface SqliteModule {
  DatabaseSync: new (path: string) => Database;
}

/**
 * `node:sqlite` (Node 22.13+, 24), loaded on first use through process.getBuiltinModule: importing this module
 * costs nothing on a Node without it, and no bundler sees (or tries to bundle) the builtin.
 */
export function loadSqlite(): SqliteModule | undefined {
  const get = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  return get?.('node:sqlite') as SqliteModule | undefined;
}

export const sqliteAvailable = (): boolean => loadSqlite() !== undefined;

export interface SqliteStoreOptions {
  /** How long a writer waits for another process's transaction (SQLite busy_timeout), ms. */
  busyTimeoutMs?: number;
}

/**
 * The embedded SQL store: one database file (WAL), shared safely by every process on the machine. Each write
 * is one transaction; `updateSandbox` runs its read-modify-write inside BEGIN IMMEDIATE, so writers of other
 * processes wait (busy_timeout) instead of losing an update. All calls are synchronous underneath, so within
 * one process a transaction never interleaves with another.
 */
export class SqliteStateStore implements StateStore {
  readonly kind = 'sqlite';
  readonly location: string;
  /** The resolved database file's digest: the same database, the same scope. */
  readonly scopeId: string;
  private db: Database | undefined;
  private readonly stmts = new Map<string, Statement>();

  constructor(
    readonly file: string,
    private readonly opts: SqliteStoreOptions = {},
  ) {
    this.location = file;
    this.scopeId = scopeIdOf('sq', file === ':memory:' ? `memory:${process.pid}` : resolve(file));
  }

  private open(): Database {
    if (this.db) return this.db;
    const sqlite = loadSqlite();
    if (!sqlite)
      throw new SandboxerError(
        'state_store',
        `the SQLite state store needs node:sqlite (Node 22.13 or later); this is Node ${process.versions.node}`,
        { hint: 'run sandboxer on Node 24, or set SANDBOXER_STATE_BACKEND=file for the file store' },
      );
    if (this.file !== ':memory:') {
      mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
      // Created private before SQLite opens it; the -wal and -shm files take the same mode.
      closeSync(openSync(this.file, 'a', 0o600));
    }
    let db: Database;
    try {
      db = new sqlite.DatabaseSync(this.file);
      const busyMs = Math.trunc(this.opts.busyTimeoutMs ?? 30_000);
      db.exec(`PRAGMA busy_timeout = ${busyMs}`);
      whileLocked(busyMs, () => db.exec('PRAGMA journal_mode = WAL'));
      db.exec('PRAGMA synchronous = FULL');
      db.exec('PRAGMA foreign_keys = ON');
    } catch (err) {
      throw new SandboxerError(
        'state_store',
        `cannot open state database ${this.file}: ${(err as Error).message}`,
      );
    }
    this.db = db;
    this.transaction(() => {
      db.exec(VERSION_TABLE);
      const row = db.prepare('SELECT max(version) AS v FROM schema_version').get();
      for (const m of pendingMigrations(Number(row?.v ?? 0), this.file)) {
        for (const s of m.statements) db.exec(s);
        if (m.reindexLedger) this.reindexLedger();
        db.prepare('INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)').run(
          m.version,
          m.description,
          new Date().toISOString(),
        );
      }
    });
    return db;
  }

  private stmt(sql: string): Statement {
    const db = this.open();
    let s = this.stmts.get(sql);
    if (!s) this.stmts.set(sql, (s = db.prepare(sql)));
    return s;
  }

  /** Run fn in one write transaction (BEGIN IMMEDIATE: the write lock is taken up front). */
  private transaction<T>(fn: () => T): T {
    const db = this.db ?? this.open();
    db.exec('BEGIN IMMEDIATE');
    let result: T;
    try {
      result = fn();
    } catch (err) {
      db.exec('ROLLBACK');
      throw err;
    }
    db.exec('COMMIT');
    return result;
  }

  async createSandbox(record: SandboxRecord): Promise<void> {
    const r = sandboxRow(record);
    const res = this.stmt(
      `INSERT INTO sandboxes (id, state, live, scope, created_at, revision, body) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO NOTHING`,
    ).run(r.id, r.state, r.live, r.scope, r.created_at, r.revision, r.body);
    if (Number(res.changes) === 0) throw new SandboxerError('conflict', `sandbox ${r.id} already exists`);
  }

  private readSandbox(id: string): SandboxRecord | undefined {
    const row = this.stmt('SELECT body FROM sandboxes WHERE id = ?').get(id);
    return row && parseBody(String(row.body), SandboxRecord, `sandbox ${id}`, this.location);
  }

  async getSandbox(id: string): Promise<SandboxRecord | undefined> {
    if (!SANDBOX_ID_RE.test(id)) return undefined;
    return this.readSandbox(id);
  }

  async listSandboxes(): Promise<SandboxRecord[]> {
    return this.stmt('SELECT id, body FROM sandboxes ORDER BY created_at, id')
      .all()
      .map((r) => parseBody(String(r.body), SandboxRecord, `sandbox ${String(r.id)}`, this.location));
  }

  /** Live records only (not terminal, or cleanup pending), through the partial index. */
  async listLiveSandboxes(): Promise<SandboxRecord[]> {
    return this.stmt('SELECT id, body FROM sandboxes WHERE live = 1 ORDER BY created_at, id')
      .all()
      .map((r) => parseBody(String(r.body), SandboxRecord, `sandbox ${String(r.id)}`, this.location));
  }

  async updateSandbox(id: string, fn: (current: SandboxRecord) => SandboxRecord): Promise<SandboxRecord> {
    if (!SANDBOX_ID_RE.test(id)) throw notFound('sandbox', id);
    this.open();
    return this.transaction(() => {
      const current = this.readSandbox(id);
      if (!current) throw notFound('sandbox', id);
      const next = SandboxRecord.parse({ ...fn(current), revision: current.revision + 1 });
      const r = sandboxRow(next);
      this.stmt(
        'UPDATE sandboxes SET state = ?, live = ?, scope = ?, revision = ?, body = ? WHERE id = ?',
      ).run(r.state, r.live, r.scope, r.revision, r.body, id);
      return next;
    });
  }

  /** Write a record as it is (its own revision) unless the stored one is as new or newer: for imports. */
  async putSandboxIfNewer(record: SandboxRecord): Promise<boolean> {
    const r = sandboxRow(record);
    const res = this.stmt(
      `INSERT INTO sandboxes (id, state, live, scope, created_at, revision, body) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET state = excluded.state, live = excluded.live, scope = excluded.scope,
       created_at = excluded.created_at, revision = excluded.revision, body = excluded.body
       WHERE sandboxes.revision < excluded.revision`,
    ).run(r.id, r.state, r.live, r.scope, r.created_at, r.revision, r.body);
    return Number(res.changes) === 1;
  }

  async putSnapshot(record: SnapshotRecord): Promise<void> {
    const r = snapshotRow(record);
    this.stmt(
      `INSERT INTO snapshots (id, sandbox_id, created_at, body) VALUES (?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET sandbox_id = excluded.sandbox_id, created_at = excluded.created_at,
       body = excluded.body`,
    ).run(r.id, r.sandbox_id, r.created_at, r.body);
  }

  async getSnapshot(id: string): Promise<SnapshotRecord | undefined> {
    if (!SNAPSHOT_ID_RE.test(id)) return undefined;
    const row = this.stmt('SELECT body FROM snapshots WHERE id = ?').get(id);
    return row && parseBody(String(row.body), SnapshotRecord, `snapshot ${id}`, this.location);
  }

  async listSnapshots(): Promise<SnapshotRecord[]> {
    return this.stmt('SELECT id, body FROM snapshots ORDER BY created_at, id')
      .all()
      .map((r) => parseBody(String(r.body), SnapshotRecord, `snapshot ${String(r.id)}`, this.location));
  }

  async appendOnce(collection: string, key: string, value: unknown): Promise<boolean> {
    assertCollectionKey(collection, key);
    const insert = () =>
      Number(
        this.stmt(
          'INSERT INTO collection_entries (collection, key, body) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
        ).run(collection, key, JSON.stringify(value)).changes,
      ) === 1;
    if (collection !== LEDGER_INDEX_COLLECTION) return insert();
    // A ledger entry and its effect on the running balance commit together.
    return this.transaction(() => {
      const added = insert();
      if (added) this.run(ledgerStatements(value));
      return added;
    });
  }

  private run(statements: Sql[]): void {
    for (const { sql, params } of statements) this.stmt(sql).run(...params);
  }

  /** Recompute the running balance from every ledger entry (inside the caller's transaction). */
  private reindexLedger(): void {
    this.run(LEDGER_RESET);
    const rows = this.stmt('SELECT body FROM collection_entries WHERE collection = ? ORDER BY key').all(
      LEDGER_INDEX_COLLECTION,
    );
    for (const r of rows) this.run(ledgerStatements(JSON.parse(String(r.body))));
  }

  /** The ledger's running balance: grants, debits and open holds, without reading the entries. */
  async ledgerSummary(): Promise<LedgerSummary | undefined> {
    return ledgerSummary(this.stmt(LEDGER_SUMMARY_SQL).get());
  }

  async readCollection(collection: string): Promise<{ key: string; value: unknown }[]> {
    assertCollectionKey(collection);
    return this.stmt('SELECT key, body FROM collection_entries WHERE collection = ? ORDER BY key')
      .all(collection)
      .map((r) => ({ key: String(r.key), value: JSON.parse(String(r.body)) as unknown }));
  }

  async readCollectionPrefix(collection: string, prefix: string): Promise<{ key: string; value: unknown }[]> {
    assertCollectionKey(collection, prefix);
    return this.stmt(
      'SELECT key, body FROM collection_entries WHERE collection = ? AND key >= ? AND key < ? ORDER BY key',
    )
      .all(collection, prefix, prefixEnd(prefix))
      .map((r) => ({ key: String(r.key), value: JSON.parse(String(r.body)) as unknown }));
  }

  async removeFromCollection(collection: string, key: string): Promise<void> {
    assertCollectionKey(collection, key);
    const remove = () =>
      this.stmt('DELETE FROM collection_entries WHERE collection = ? AND key = ?').run(collection, key);
    if (collection !== LEDGER_INDEX_COLLECTION) remove();
    else
      this.transaction(() => {
        if (Number(remove().changes) > 0) this.reindexLedger();
      });
  }

  async getEntry(collection: string, key: string): Promise<unknown> {
    assertCollectionKey(collection, key);
    const row = this.stmt('SELECT body FROM collection_entries WHERE collection = ? AND key = ?').get(
      collection,
      key,
    );
    return row === undefined ? undefined : (JSON.parse(String(row.body)) as unknown);
  }

  /** Pick and mark in one BEGIN IMMEDIATE transaction: claimers of other processes wait for the write lock. */
  async claimEntries(collection: string, opts: ClaimOptions): Promise<Claim[]> {
    const a = claimArgs(collection, opts);
    const keys = a.keys ? JSON.stringify([...a.keys]) : null;
    const skip = JSON.stringify([...a.skip]);
    this.open();
    return this.transaction(() => {
      const now = Date.now();
      const picked = this.stmt(
        `SELECT key, body FROM collection_entries WHERE collection = ? AND (claim_until IS NULL OR claim_until <= ?)
         AND (? IS NULL OR key IN (SELECT value FROM json_each(?))) AND key NOT IN (SELECT value FROM json_each(?))
         ORDER BY key LIMIT ?`,
      ).all(collection, now, keys, keys, skip, a.limit);
      const token = claimToken();
      const until = now + a.leaseMs;
      const mark = this.stmt(
        'UPDATE collection_entries SET claim_token = ?, claim_owner = ?, claim_until = ? WHERE collection = ? AND key = ?',
      );
      return picked.map((r) => {
        mark.run(token, a.owner, until, collection, String(r.key));
        return claimOf({ ...(r as unknown as ClaimRow), claim_token: token, claim_until: until });
      });
    });
  }

  async releaseClaim(collection: string, key: string, token: string): Promise<boolean> {
    assertCollectionKey(collection, key);
    const res = this.stmt(
      `UPDATE collection_entries SET claim_token = NULL, claim_owner = NULL, claim_until = NULL
       WHERE collection = ? AND key = ? AND claim_token = ?`,
    ).run(collection, key, token);
    return Number(res.changes) === 1;
  }

  async listClaims(collection: string): Promise<ClaimHolder[]> {
    assertCollectionKey(collection);
    return this.stmt(
      `SELECT key, claim_token, claim_owner, claim_until FROM collection_entries
       WHERE collection = ? AND claim_until > ? ORDER BY key`,
    )
      .all(collection, Date.now())
      .map((r) => holderOf(r as unknown as ClaimRow));
  }

  /** A small key/value table beside the records (e.g. which file-store directory was imported). */
  async getMeta(key: string): Promise<string | undefined> {
    return this.getMetaSync(key);
  }

  getMetaSync(key: string): string | undefined {
    const row = this.stmt('SELECT value FROM meta WHERE key = ?').get(key);
    return row === undefined ? undefined : String(row.value);
  }

  async setMeta(key: string, value: string): Promise<void> {
    this.stmt(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    ).run(key, value);
  }

  async close(): Promise<void> {
    this.stmts.clear();
    this.db?.close();
    this.db = undefined;
  }
}

/**
 * Run fn, again while SQLite answers "database is locked" (up to ms): switching a new database to WAL needs the
 * file to itself and does not wait on busy_timeout, so two processes opening a fresh state store at once (a
 * create and a `list`) made one fail with "database is locked".
 */
function whileLocked(ms: number, fn: () => void): void {
  const until = Date.now() + ms;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
    try {
      fn();
      return;
    } catch (err) {
      if (!/database is locked|SQLITE_BUSY/i.test((err as Error).message) || Date.now() >= until) throw err;
      Atomics.wait(pause, 0, 0, wait); // open() is synchronous: a short synchronous pause
    }
  }
}
