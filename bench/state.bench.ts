// npm run bench state: `list` (the CLI's default, live sandboxes) and `create`+`destroy` (saas-stub, with the
// production hooks: credits ledger, usage export outbox, State Hub, latency samples) on a store already holding
// 100 / 1,000 / 10,000 settled sandboxes and their ledger history, plus 10 live ones. File, SQLite and (when
// Debian's postgresql binaries exist) PostgreSQL side by side; each cell is the median, with its ratio to 100.
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createManager } from '../src/manager/factory.ts';
import { FileStateStore } from '../src/state/file/file-store.ts';
import { PostgresStateStore } from '../src/state/postgres/postgres-store.ts';
import { SqliteStateStore, sqliteAvailable } from '../src/state/sqlite/sqlite-store.ts';
import type { StateStore } from '../src/state/store.ts';
import { tempDir } from '../tests/helpers/env.ts';
import { pgBinDir, startPg, type PgServer } from '../tests/state/pg-server.ts';
import { seed } from './state-seed.ts';
import { replicasBench } from './state-replicas.ts';

/** The file store reads every record file per list: beyond this, seeding and listing take minutes each. */
const FILE_CAP = 10_000;

const SIZES = (process.env.BENCH_STATE_SIZES ?? '100,1000,10000,100000').split(',').map(Number);
const STORES = (process.env.BENCH_STATE_STORES ?? 'file,sqlite,postgres').split(',');
const LIVE = 10;
const ROUNDS = 5;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function time(n: number, fn: () => Promise<unknown>): Promise<number> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return median(out);
}

interface Row {
  list: number;
  create: number;
  destroy: number;
}

async function measure(store: StateStore, dir: string): Promise<Row> {
  const env = { SANDBOXER_STATE_DIR: dir, SANDBOXER_STUB_DIR: join(dir, 'stub'), SANDBOXER_FIN_HUB_URL: '' };
  const m = createManager({ store, env });
  const live: string[] = [];
  // Warm up (module loading, JIT, prepared statements) outside the timed rounds.
  await m.list({ state: ['requested', 'provisioning', 'ready', 'destroying'] });
  await m.destroy((await m.create({ profileId: 'profile.saas-stub' })).id);
  const list = await time(ROUNDS, () =>
    m.list({ state: ['requested', 'provisioning', 'ready', 'destroying'] }),
  );
  const create = await time(ROUNDS, async () =>
    live.push((await m.create({ profileId: 'profile.saas-stub' })).id),
  );
  const destroy = await time(ROUNDS, () => m.destroy(live.shift()!));
  return { list, create, destroy };
}

export default async function bench(): Promise<void> {
  const tmp = tempDir('sbx-bench-state-');
  let pg: PgServer | undefined;
  const kinds: [string, (dir: string, n: number) => Promise<StateStore>][] = [
    ['file', async (dir) => new FileStateStore(dir)],
  ];
  if (sqliteAvailable()) kinds.push(['sqlite', async (dir) => new SqliteStateStore(join(dir, 'state.db'))]);
  else console.log(`sqlite: skipped (node:sqlite is not in Node ${process.versions.node}; run on Node 24)`);
  if (pgBinDir())
    kinds.push([
      'postgres',
      async (_dir, n) => new PostgresStateStore((pg ??= await startPg()).database(`bench_${n}`)),
    ]);
  else console.log('postgres: skipped (no /usr/lib/postgresql/*/bin; apt-get install postgresql)');
  const results = new Map<string, Map<number, Row>>();
  try {
    for (const [kind, open] of kinds.filter(([k]) => STORES.includes(k))) {
      const rows = new Map<number, Row>();
      results.set(kind, rows);
      for (const n of SIZES) {
        if (kind === 'file' && n > FILE_CAP) {
          console.log(
            `file ${n}: skipped (capped at ${FILE_CAP}: the file store reads every record file on each list, so it is already ${'>'}80x slower at 10,000; use SQLite or PostgreSQL)`,
          );
          continue;
        }
        const dir = join(tmp.dir, `${kind}-${n}`);
        const store = await open(dir, n);
        const t = performance.now();
        await seed(store, n, LIVE);
        const seeded = performance.now() - t;
        rows.set(n, await measure(store, dir));
        await store.close?.();
        console.log(`${kind} ${n}: seeded in ${(seeded / 1000).toFixed(1)} s`);
      }
    }
  } finally {
    pg?.stop();
    tmp.cleanup();
  }
  const cell = (rows: Map<number, Row>, n: number, k: keyof Row) => {
    if (!rows.get(n)) return '—';
    const v = rows.get(n)![k];
    const base = rows.get(SIZES[0]!)![k];
    return `${v.toFixed(1).padStart(8)} ms ${(v / base).toFixed(2).padStart(5)}x`;
  };
  for (const k of ['list', 'create', 'destroy'] as const) {
    console.log(`\n${k} (median of ${ROUNDS}; ratio to ${SIZES[0]} records)`);
    console.log(['records'.padEnd(9), ...[...results.keys()].map((kind) => kind.padStart(18))].join(' '));
    for (const n of SIZES)
      console.log(
        [String(n).padEnd(9), ...[...results.values()].map((rows) => cell(rows, n, k).padStart(18))].join(
          ' ',
        ),
      );
  }
  if (process.env.BENCH_STATE_REPLICAS !== '0') await replicasBench();
}
