import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { mkdir, open, readFile, rm, utimes } from 'node:fs/promises';
import { dirname } from 'node:path';
import { takeOverIfAbandoned } from '../file/lock.ts';
import { newReplicaId, replicaProcessGone, type Coordinator } from './coordinator.ts';

/** A lock file is judged abandoned by a holder on another host after this long without a heartbeat. */
const STALE_MS = 120_000;

/**
 * SQLite and the file store live on one machine: a replica is alive while its process is (the process table),
 * and the reaper lock is a lock file beside the store (`pid host token`, as src/state/file/lock.ts writes it),
 * taken over once its holder's process is gone. Without a path (the memory store) the process is alone: it
 * always leads.
 */
export class LocalCoordinator implements Coordinator {
  readonly replica = newReplicaId();
  readonly describe: string;
  private readonly token = randomBytes(12).toString('hex');
  private leading = false;

  constructor(private readonly lockPath: string | undefined) {
    this.describe = lockPath ? `lock file ${lockPath}` : 'in-process';
  }

  async start(): Promise<void> {
    if (this.lockPath) await mkdir(dirname(this.lockPath), { recursive: true, mode: 0o700 });
  }

  async tryLead(): Promise<boolean> {
    if (!this.lockPath) return true;
    if (this.leading) {
      // Still ours (not taken over by someone who judged us gone)? Then refresh the heartbeat.
      if ((await this.holderToken()) === this.token) {
        const now = new Date();
        await utimes(this.lockPath, now, now).catch(() => undefined);
        return true;
      }
      this.leading = false;
    }
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fh = await open(this.lockPath, 'wx', 0o600);
        await fh.writeFile(`${process.pid} ${hostname()} ${this.token} ${new Date().toISOString()}\n`);
        await fh.close();
        this.leading = true;
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        if (!(await takeOverIfAbandoned(this.lockPath, STALE_MS))) return false;
      }
    }
    return false;
  }

  async alive(replicas: string[]): Promise<Set<string>> {
    return new Set(replicas.filter((r) => !replicaProcessGone(r)));
  }

  async close(): Promise<void> {
    if (this.lockPath && this.leading && (await this.holderToken()) === this.token)
      await rm(this.lockPath, { force: true });
    this.leading = false;
  }

  private async holderToken(): Promise<string | undefined> {
    try {
      return (await readFile(this.lockPath!, 'utf8')).split(' ')[2];
    } catch {
      return undefined;
    }
  }
}
