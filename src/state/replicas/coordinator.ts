import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { localProcessGone } from '../../core/local-process.ts';

/**
 * How the `sandboxer serve` replicas sharing one state store coordinate: each replica has an id and is known to be
 * alive while it runs; one of them at a time holds the reaper lock and runs TTL expiry and reaping. PostgreSQL
 * (pg-coordinator.ts) uses session advisory locks, which the server drops the moment the holder's connection
 * ends (a killed replica); SQLite and the file store serve one machine (local-coordinator.ts): a lock file beside
 * the store, and the process table.
 */
export interface Coordinator {
  /** This process's replica id: `<host>/<pid>/<nonce>`, written into the records it creates. */
  readonly replica: string;
  /** What backs the lock, for messages: `postgres advisory lock`, `lock file …`, `in-process`. */
  readonly describe: string;
  /** Announce this replica as alive (before it accepts work). Throws when the store cannot be reached. */
  start(): Promise<void>;
  /** Hold the reaper lock: true when this replica holds it now (taken now or still held), false otherwise. */
  tryLead(): Promise<boolean>;
  /** Which of these replica ids are alive. Throws when it cannot tell (then nothing is judged abandoned). */
  alive(replicas: string[]): Promise<Set<string>>;
  /** Release the lock and the liveness (after this replica's own work has drained). */
  close(): Promise<void>;
}

export function newReplicaId(): string {
  return `${hostname()}/${process.pid}/${randomBytes(4).toString('hex')}`;
}

export function parseReplicaId(id: string): { host: string; pid: number } | undefined {
  const m = /^(.+)\/(\d+)\/[0-9a-f]+$/.exec(id);
  return m ? { host: m[1]!, pid: Number(m[2]) } : undefined;
}

/** A replica whose process was on this host and no longer exists; a replica elsewhere is never judged by pid. */
export function replicaProcessGone(id: string): boolean {
  const p = parseReplicaId(id);
  return p !== undefined && localProcessGone(p.host, p.pid);
}
