import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { claimToken, type Claim, type ClaimHolder } from '../store.ts';
import { writeFileAtomic, writeFileExclusive } from './atomic.ts';
import { withFileLock } from './lock.ts';

const ClaimFile = z.object({ token: z.string(), owner: z.string(), until: z.number() }).strict();
type ClaimFile = z.infer<typeof ClaimFile>;

/**
 * The file store's claims on collection entries: `claims/<collection>/<key>.json` holds the token, the owner and
 * the lease's end (this machine's clock: the file store is local to one machine). Taking a claim reads the
 * claim file under the entry's own lock file (`locks/claim.<collection>.<key>.lock`), so two processes never
 * both judge an entry free and take it; a held, unexpired claim is passed over without taking the lock.
 */
export class FileClaims {
  constructor(private readonly dir: string) {}

  private file(collection: string, key: string): string {
    return join(this.dir, 'claims', collection, `${key}.json`);
  }

  private async read(collection: string, key: string): Promise<ClaimFile | undefined> {
    try {
      const parsed = ClaimFile.safeParse(JSON.parse(await readFile(this.file(collection, key), 'utf8')));
      // A damaged claim file holds nothing: the entry is claimable (at worst it is sent twice, never lost).
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Take the first `limit` claimable keys of `keys` (in order) for `leaseMs`. `valueOf` reads the entry under
   * the lock: an entry removed meanwhile (its claimer finished) is not claimed.
   */
  async claim(
    collection: string,
    keys: string[],
    a: { limit: number; leaseMs: number; owner: string },
    valueOf: (key: string) => Promise<{ found: boolean; value?: unknown }>,
  ): Promise<Claim[]> {
    await mkdir(join(this.dir, 'claims', collection), { recursive: true, mode: 0o700 });
    const token = claimToken();
    const out: Claim[] = [];
    for (const key of keys) {
      if (out.length >= a.limit) break;
      const seen = await this.read(collection, key);
      if (seen && seen.until > Date.now()) continue;
      const got = await withFileLock(join(this.dir, 'locks', `claim.${collection}.${key}.lock`), async () => {
        const held = await this.read(collection, key);
        const now = Date.now();
        if (held && held.until > now) return undefined;
        const entry = await valueOf(key);
        if (!entry.found) return undefined;
        const claim: ClaimFile = { token, owner: a.owner, until: now + a.leaseMs };
        const text = JSON.stringify(claim);
        // No claim file yet: create it exclusively (a removal racing us cannot resurrect one under our feet).
        if (held) await writeFileAtomic(this.file(collection, key), text);
        else if (!(await writeFileExclusive(this.file(collection, key), text))) return undefined;
        return { key, value: entry.value, token, expires_at: new Date(claim.until).toISOString() };
      });
      if (got) out.push(got);
    }
    return out;
  }

  async release(collection: string, key: string, token: string): Promise<boolean> {
    return withFileLock(join(this.dir, 'locks', `claim.${collection}.${key}.lock`), async () => {
      if ((await this.read(collection, key))?.token !== token) return false;
      await rm(this.file(collection, key), { force: true });
      return true;
    });
  }

  async list(collection: string): Promise<ClaimHolder[]> {
    let names: string[];
    try {
      names = (await readdir(join(this.dir, 'claims', collection))).filter((n) => n.endsWith('.json')).sort();
    } catch {
      return [];
    }
    const out: ClaimHolder[] = [];
    const now = Date.now();
    for (const n of names) {
      const key = n.slice(0, -5);
      const c = await this.read(collection, key);
      if (c && c.until > now)
        out.push({ key, token: c.token, owner: c.owner, expires_at: new Date(c.until).toISOString() });
    }
    return out;
  }

  /** The entry is gone: so is its claim. */
  async drop(collection: string, key: string): Promise<void> {
    await rm(this.file(collection, key), { force: true });
  }
}
