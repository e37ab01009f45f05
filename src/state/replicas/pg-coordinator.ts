import { createHash } from 'node:crypto';
import type { Client } from 'pg';
import { toSandboxerError } from '../../core/errors.ts';
import { silentLogger, type Logger } from '../../core/logger.ts';
import type { PostgresStateStore } from '../postgres/postgres-store.ts';
import { newReplicaId, type Coordinator } from './coordinator.ts';

/** Advisory lock namespaces (the first key of the two-int form): 'SBXL' the reaper lock, 'SBXR' replicas. */
const LEADER_NS = 0x5342584c;
const REPLICA_NS = 0x53425852;

/** A replica id's lock key: 31 bits of its digest (the same id, the same key, in every replica). */
export const replicaKey = (id: string): number =>
  createHash('sha256').update(id).digest().readUInt32BE(0) & 0x7fffffff;

/**
 * Coordination on PostgreSQL through one dedicated session per replica (outside the pool):
 * - liveness: the session holds `pg_advisory_lock(SBXR, key(replica))` for as long as the replica runs, and
 *   `alive()` reads which replica keys are held in this database from `pg_locks`;
 * - the reaper lock: `pg_try_advisory_lock(SBXL, 0)` on the same session.
 * Both are released by the server the moment the session ends — a replica killed with SIGKILL, or a machine
 * that vanished once TCP keepalive notices — so another replica takes the reaper lock on its next try. A session
 * that breaks is reopened (and the replica's key locked again) on the next call.
 */
export class PgCoordinator implements Coordinator {
  readonly replica = newReplicaId();
  readonly describe = 'PostgreSQL advisory lock';
  private client: Client | undefined;
  private connecting: Promise<Client> | undefined;
  private leading = false;
  private closed = false;

  constructor(
    private readonly store: PostgresStateStore,
    private readonly log: Logger = silentLogger,
  ) {}

  private session(): Promise<Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= (async () => {
      try {
        const c = await this.store.openSession();
        c.on('error', () => this.lost(c));
        c.on('end', () => this.lost(c));
        await c.query('SELECT pg_advisory_lock($1, $2)', [REPLICA_NS, replicaKey(this.replica)]);
        if (this.closed) {
          await c.end().catch(() => undefined);
          throw new Error('coordinator closed');
        }
        this.client = c;
        return c;
      } finally {
        this.connecting = undefined;
      }
    })();
    return this.connecting;
  }

  private lost(c: Client): void {
    if (this.client !== c) return;
    this.client = undefined;
    if (this.leading && !this.closed)
      this.log.warn('lost the database session holding the reaper lock; another replica may take over');
    this.leading = false;
    void c.end().catch(() => undefined);
  }

  async start(): Promise<void> {
    await this.session();
  }

  async tryLead(): Promise<boolean> {
    if (this.closed) return false;
    let c: Client;
    try {
      c = await this.session();
    } catch (err) {
      this.log.warn(`reaper lock: ${toSandboxerError(err).message}`);
      return false;
    }
    try {
      if (this.leading) {
        await c.query('SELECT 1'); // the session is up, so the lock it holds is still ours
        return true;
      }
      const { rows } = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [
        LEADER_NS,
        0,
      ]);
      this.leading = rows[0]?.ok === true;
      return this.leading;
    } catch {
      this.lost(c);
      return false;
    }
  }

  async alive(replicas: string[]): Promise<Set<string>> {
    if (replicas.length === 0) return new Set();
    const c = await this.session();
    const { rows } = await c.query<{ k: string }>(
      `SELECT objid::bigint AS k FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2
       AND classid = $1 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [REPLICA_NS],
    );
    const held = new Set(rows.map((r) => Number(r.k)));
    return new Set(replicas.filter((r) => held.has(replicaKey(r))));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.leading = false;
    const c = this.client ?? (await this.connecting?.catch(() => undefined));
    this.client = undefined;
    await c?.end().catch(() => undefined);
  }
}
