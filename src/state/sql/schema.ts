import type * as z from 'zod';
import { SandboxerError } from '../../core/errors.ts';
import { isTerminal } from '../../core/lifecycle.ts';
import { SandboxRecord, SnapshotRecord } from '../../core/record.ts';
import { CLAIM_COLUMNS_DDL } from './claims.ts';
import { LEDGER_INDEX_DDL } from './ledger-index.ts';

/**
 * The one schema of the SQL state stores (SQLite and PostgreSQL). A record is kept whole as JSON in `body`;
 * the columns beside it are what queries filter and sort on: `live` (not terminal, or a failed record whose
 * cleanup is pending: what the reaper and `list --live` read), `scope` (the owner's scope) and `created_at`.
 * The DDL is the common subset of both dialects (text, bigint, partial indexes); each migration runs once, in a
 * transaction, and is recorded in `schema_version`.
 */
export interface Migration {
  version: number;
  description: string;
  statements: string[];
  /** PostgreSQL only, after the statements: indexes in the "C" collation the queries sort and range in. */
  postgres?: string[];
  /** Rebuild the ledger's running balance from its entries after this migration. */
  reindexLedger?: boolean;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    description: 'sandboxes, snapshots, collections',
    statements: [
      `CREATE TABLE IF NOT EXISTS sandboxes (
        id text PRIMARY KEY,
        state text NOT NULL,
        live integer NOT NULL,
        scope text NOT NULL,
        created_at text NOT NULL,
        revision bigint NOT NULL,
        body text NOT NULL
      )`,
      'CREATE INDEX IF NOT EXISTS sandboxes_created ON sandboxes (created_at, id)',
      'CREATE INDEX IF NOT EXISTS sandboxes_live ON sandboxes (state) WHERE live = 1',
      'CREATE INDEX IF NOT EXISTS sandboxes_scope ON sandboxes (scope, created_at)',
      `CREATE TABLE IF NOT EXISTS snapshots (
        id text PRIMARY KEY,
        sandbox_id text NOT NULL,
        created_at text NOT NULL,
        body text NOT NULL
      )`,
      'CREATE INDEX IF NOT EXISTS snapshots_created ON snapshots (created_at, id)',
      `CREATE TABLE IF NOT EXISTS collection_entries (
        collection text NOT NULL,
        key text NOT NULL,
        body text NOT NULL,
        PRIMARY KEY (collection, key)
      )`,
      `CREATE TABLE IF NOT EXISTS meta (
        key text PRIMARY KEY,
        value text NOT NULL
      )`,
    ],
    postgres: [
      'CREATE INDEX IF NOT EXISTS sandboxes_created_c ON sandboxes (created_at COLLATE "C", id COLLATE "C")',
      'CREATE INDEX IF NOT EXISTS collection_entries_key_c ON collection_entries (collection, key COLLATE "C")',
    ],
  },
  {
    version: 2,
    description: 'running balance of the credits ledger',
    statements: LEDGER_INDEX_DDL,
    reindexLedger: true,
  },
  {
    version: 3,
    // The live listing is ordered by creation: an index on (state) let the planner prefer the creation index
    // and walk every record; this one serves the filter and the order together.
    description: 'live records indexed in listing order',
    statements: [
      'DROP INDEX IF EXISTS sandboxes_live',
      'CREATE INDEX IF NOT EXISTS sandboxes_live_created ON sandboxes (created_at, id) WHERE live = 1',
    ],
    postgres: [
      'CREATE INDEX IF NOT EXISTS sandboxes_live_created_c ON sandboxes (created_at COLLATE "C", id COLLATE "C") WHERE live = 1',
    ],
  },
  {
    version: 4,
    // Concurrent outbox flushes (teardowns, replays, replicas) claim a record before sending it (issue #19).
    description: 'claims (leases) on collection entries',
    statements: CLAIM_COLUMNS_DDL,
  },
];

export const SCHEMA_VERSION = MIGRATIONS.at(-1)!.version;

export const VERSION_TABLE = `CREATE TABLE IF NOT EXISTS schema_version (
  version integer PRIMARY KEY,
  description text NOT NULL,
  applied_at text NOT NULL
)`;

/** Migrations not applied yet; a database newer than this build is refused (it would be misread). */
export function pendingMigrations(applied: number, location: string): Migration[] {
  if (applied > SCHEMA_VERSION)
    throw new SandboxerError(
      'state_store',
      `state database ${location} has schema version ${applied}, newer than this sandboxer knows (${SCHEMA_VERSION})`,
      {
        hint: 'upgrade sandboxer on this machine; every process sharing the database must run the same version',
      },
    );
  return MIGRATIONS.filter((m) => m.version > applied);
}

export interface SandboxRow {
  id: string;
  state: string;
  live: number;
  scope: string;
  created_at: string;
  revision: number;
  body: string;
}

export function sandboxRow(record: SandboxRecord): SandboxRow {
  const r = SandboxRecord.parse(record);
  return {
    id: r.id,
    state: r.state,
    live: !isTerminal(r.state) || r.cleanup_pending ? 1 : 0,
    scope: r.owner.scope,
    created_at: r.created_at,
    revision: r.revision,
    body: JSON.stringify(r),
  };
}

export function snapshotRow(record: SnapshotRecord): {
  id: string;
  sandbox_id: string;
  created_at: string;
  body: string;
} {
  const r = SnapshotRecord.parse(record);
  return { id: r.id, sandbox_id: r.sandbox_id, created_at: r.created_at, body: JSON.stringify(r) };
}

/** A stored body back into a record, with an error naming the row when it does not parse. */
export function parseBody<S extends z.ZodTypeAny>(
  body: string,
  schema: S,
  what: string,
  location: string,
): z.infer<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch {
    throw new SandboxerError('state_store', `${what} in ${location} is not valid JSON`, {
      hint: 'the row was edited by hand or the database is damaged',
    });
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new SandboxerError(
      'state_store',
      `${what} in ${location}: ${issue.path.join('.')}: ${issue.message}`,
      {
        hint: 'this state was written by an incompatible version or edited by hand',
      },
    );
  }
  return parsed.data;
}
