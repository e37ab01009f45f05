import { join } from 'node:path';
import { newSandboxId } from '../../src/core/ids.ts';
import { SandboxRecord } from '../../src/core/record.ts';
import { FileStateStore } from '../../src/state/file/file-store.ts';
import { MemoryStateStore } from '../../src/state/memory/memory-store.ts';
import { PostgresStateStore } from '../../src/state/postgres/postgres-store.ts';
import { SqliteStateStore, sqliteAvailable } from '../../src/state/sqlite/sqlite-store.ts';
import type { StateStore } from '../../src/state/store.ts';
import { pgBinDir, startPg, type PgServer } from './pg-server.ts';

export function record(id = newSandboxId(), over: Partial<SandboxRecord> = {}): SandboxRecord {
  const now = new Date().toISOString();
  return SandboxRecord.parse({
    id,
    revision: 1,
    profile_id: 'profile.saas-stub',
    profile_version: '1.0.0',
    extension_id: 'ext.saas-stub',
    state: 'requested',
    placement: {},
    handle: {},
    inputs: {},
    resources: { cpu: 1, memory_mib: 512, gpu_count: 0 },
    labels: {},
    owner: { scope: 'test:store' },
    created_at: now,
    history: [{ from: null, to: 'requested', at: now }],
    ...over,
  });
}

export const HAVE_SQLITE = sqliteAvailable();
export const HAVE_PG = pgBinDir() !== undefined;

/**
 * Every store kind as the CLI selects it, for tests that spawn CLI processes: the environment of each process.
 * `pgUrl` gives the database URL for a Postgres kind (called once per describe block that uses it).
 */
export function cliStoreEnvs(pgUrl: () => string): [string, () => NodeJS.ProcessEnv][] {
  return [
    ['file', () => ({ SANDBOXER_STATE_BACKEND: 'file' })],
    ...(HAVE_SQLITE
      ? [['sqlite', () => ({ SANDBOXER_STATE_BACKEND: 'sqlite' })] as [string, () => NodeJS.ProcessEnv]]
      : []),
    ...(HAVE_PG
      ? [['postgres', () => ({ SANDBOXER_STATE_URL: pgUrl() })] as [string, () => NodeJS.ProcessEnv]]
      : []),
  ];
}

/**
 * Every store kind for the contract tests: a factory of fresh, empty stores per kind. Postgres gets one server
 * per test file (started on first use) and one database per store.
 */
export function storeKinds(dir: string): {
  kinds: [string, () => Promise<StateStore>][];
  twin: (s: StateStore) => StateStore;
  cleanup: () => Promise<void>;
} {
  let n = 0;
  let pg: Promise<PgServer> | undefined;
  const opened: StateStore[] = [];
  const urls = new WeakMap<StateStore, string>();
  const track = (s: StateStore) => (opened.push(s), s);
  const kinds: [string, () => Promise<StateStore>][] = [
    ['file', async () => new FileStateStore(join(dir, `file-${n++}`))],
    ['memory', async () => new MemoryStateStore()],
  ];
  if (HAVE_SQLITE)
    kinds.push(['sqlite', async () => track(new SqliteStateStore(join(dir, `sqlite-${n++}.db`)))]);
  if (HAVE_PG)
    kinds.push([
      'postgres',
      async () => {
        const server = await (pg ??= startPg());
        const url = server.database(`store_${n++}`);
        const store = track(new PostgresStateStore(url));
        urls.set(store, url);
        return store;
      },
    ]);
  /** A second handle on the same store (another process would open it so): the same instance for memory. */
  const twin = (s: StateStore): StateStore => {
    if (s instanceof FileStateStore) return new FileStateStore(s.dir);
    if (s instanceof SqliteStateStore) return track(new SqliteStateStore(s.file));
    const url = urls.get(s);
    if (url) return track(new PostgresStateStore(url));
    return s;
  };
  return {
    kinds,
    twin,
    cleanup: async () => {
      for (const s of opened) await s.close?.();
      if (pg) (await pg).stop();
    },
  };
}
