import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { SandboxerError } from '../core/errors.ts';
import { isTerminal } from '../core/lifecycle.ts';
import { localProcessGone } from '../core/local-process.ts';
import type { SandboxRecord, SandboxState, SnapshotRecord } from '../core/record.ts';
import type { LedgerSummary } from './sql/ledger-index.ts';

/**
 * Where lifecycle state lives. Every write is atomic; `updateSandbox` is a serialised read-modify-write, so
 * concurrent processes never lose a transition. Collections are append-once keyed sets (ledger entries, outbox
 * records, latency samples): `appendOnce` returns false when the key exists, which makes retries no-ops.
 */
export interface StateStore {
  readonly kind: string;
  /** Human-readable location, for messages. */
  readonly location: string;
  /** A stable id of this store (the same store, the same id), part of the default ownership scope outside
   *  Actions: two installations on one machine then never reap each other's sandboxes. */
  readonly scopeId?: string;
  /** Many machines share this store (a database server): the default scope is then the store alone
   *  (`store:<scopeId>`), not `<user>@<host>`, so every replica and team member reaps the same orphans. */
  readonly shared?: boolean;
  createSandbox(record: SandboxRecord): Promise<void>;
  getSandbox(id: string): Promise<SandboxRecord | undefined>;
  listSandboxes(): Promise<SandboxRecord[]>;
  /** Live records (not terminal, or cleanup pending) from an index, without reading the history (SQL stores). */
  listLiveSandboxes?(): Promise<SandboxRecord[]>;
  updateSandbox(id: string, fn: (current: SandboxRecord) => SandboxRecord): Promise<SandboxRecord>;

  putSnapshot(record: SnapshotRecord): Promise<void>;
  getSnapshot(id: string): Promise<SnapshotRecord | undefined>;
  listSnapshots(): Promise<SnapshotRecord[]>;

  appendOnce(collection: string, key: string, value: unknown): Promise<boolean>;
  readCollection(collection: string): Promise<{ key: string; value: unknown }[]>;
  removeFromCollection(collection: string, key: string): Promise<void>;
  /** One entry's value, or undefined when the key is not in the collection. */
  getEntry(collection: string, key: string): Promise<unknown>;
  /**
   * Claim up to `limit` entries for `leaseMs` (see Claim): only entries nobody holds, or whose lease has
   * expired. Two claimers never hold one entry at once; the claim is one atomic step in every store (a
   * transaction with FOR UPDATE SKIP LOCKED in PostgreSQL, BEGIN IMMEDIATE in SQLite, a per-entry lock file in
   * the file store). A claimer finishes with `removeFromCollection` (done) or `releaseClaim` (not done).
   */
  claimEntries(collection: string, opts: ClaimOptions): Promise<Claim[]>;
  /** Give a claim back: the entry is claimable again at once. False when the claim (token) no longer holds. */
  releaseClaim(collection: string, key: string, token: string): Promise<boolean>;
  /** The claims that hold now (lease not expired), in key order. */
  listClaims(collection: string): Promise<ClaimHolder[]>;
  /** The entries whose key starts with prefix, through the (collection, key) index (SQL stores). */
  readCollectionPrefix?(collection: string, prefix: string): Promise<{ key: string; value: unknown }[]>;
  /** The credits ledger's running balance, kept beside its entries (SQL stores; see sql/ledger-index.ts). */
  ledgerSummary?(): Promise<LedgerSummary | undefined>;
  /** Release connections (SQL stores); the others hold nothing open. */
  close?(): Promise<void>;
}

export interface ClaimOptions {
  /** How long the claim holds; after that another claimer may take the entry (its claimer is presumed dead). */
  leaseMs: number;
  /** At most this many entries (default 1), in key order. */
  limit?: number;
  /** Only among these keys. */
  keys?: string[];
  /** Never these keys (e.g. the ones this claimer already tried). */
  skip?: string[];
  /** Who claims, kept with the claim; default `claimOwner()` (host/pid), which lets a dead local claimer be seen. */
  owner?: string;
}

/** A held entry: its value and the token that releases it. */
export interface Claim {
  key: string;
  value: unknown;
  token: string;
  expires_at: string;
}

export interface ClaimHolder {
  key: string;
  token: string;
  owner: string;
  expires_at: string;
}

export const COLLECTION_RE = /^[a-z][a-z0-9-]*$/;
export const KEY_RE = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

/** Collection names and keys become file and artifact names: every store checks them the same way. */
export function assertCollectionKey(collection: string, key?: string): void {
  if (!COLLECTION_RE.test(collection))
    throw new SandboxerError('internal', `bad collection name ${collection}`);
  if (key !== undefined && !KEY_RE.test(key))
    throw new SandboxerError('internal', `bad collection key ${key}`);
}

/**
 * The records a listing by state needs: only live ones, through the store's index when it has one, when every
 * state asked for is a live state (the CLI's default `list`, the API's list); every record otherwise.
 */
export function listByState(store: StateStore, states?: SandboxState[]): Promise<SandboxRecord[]> {
  if (states && store.listLiveSandboxes && states.every((s) => !isTerminal(s)))
    return store.listLiveSandboxes();
  return store.listSandboxes();
}

/** The default claim owner: `<host>/<pid>`. */
export const claimOwner = (): string => `${hostname()}/${process.pid}`;

/** True when a `claimOwner()` owner is a process of this host that is gone (other hosts: never; their lease decides). */
export function claimOwnerGone(owner: string): boolean {
  const cut = owner.lastIndexOf('/');
  return cut > 0 && localProcessGone(owner.slice(0, cut), Number(owner.slice(cut + 1)));
}

/** A fresh claim token. */
export const claimToken = (): string => randomBytes(12).toString('hex');

/** The claim options checked the same way by every store: collection and keys, a positive lease and limit. */
export function claimArgs(
  collection: string,
  opts: ClaimOptions,
): { limit: number; leaseMs: number; keys?: Set<string>; skip: Set<string>; owner: string } {
  assertCollectionKey(collection);
  for (const k of [...(opts.keys ?? []), ...(opts.skip ?? [])]) assertCollectionKey(collection, k);
  const limit = opts.limit ?? 1;
  if (!Number.isInteger(limit) || limit < 1) throw new SandboxerError('internal', `bad claim limit ${limit}`);
  if (!Number.isFinite(opts.leaseMs) || opts.leaseMs <= 0)
    throw new SandboxerError('internal', `bad claim lease ${opts.leaseMs}`);
  return {
    limit,
    leaseMs: Math.ceil(opts.leaseMs),
    ...(opts.keys ? { keys: new Set(opts.keys) } : {}),
    skip: new Set(opts.skip ?? []),
    owner: opts.owner ?? claimOwner(),
  };
}

/** Keys are [A-Za-z0-9._:-]: every key with a prefix sorts below prefix + '~'. */
export const prefixEnd = (prefix: string): string => `${prefix}~`;

/** A store's scope id: `<kind prefix>-` and 12 hex digits of its location's digest (see StateStore.scopeId). */
export const scopeIdOf = (prefix: string, location: string): string =>
  `${prefix}-${createHash('sha256').update(location).digest('hex').slice(0, 12)}`;
