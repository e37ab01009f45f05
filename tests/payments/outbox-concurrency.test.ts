import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usageEventId } from '../../src/export/envelope.ts';
import { createManager } from '../../src/manager/factory.ts';
import { cli, json } from '../helpers/cli.ts';
import { tempDir } from '../helpers/env.ts';
import { PG_SKIP_REASON, startPg, type PgServer } from '../state/pg-server.ts';
import { cliStoreEnvs, HAVE_PG, HAVE_SQLITE } from '../state/stores.ts';
import { Collector } from './collector.ts';

/**
 * Issue #19: concurrent teardowns and replays from separate CLI processes sharing one state store. Each process
 * claims a usage record before sending it, so the collector sees each record once — more than once only after
 * a send that failed (and then the record is claimable again and lands once).
 */
const tmp = tempDir('sbx-outbox-conc-');
const collector = new Collector();
let pg: PgServer | undefined;
beforeAll(async () => {
  await collector.up();
  if (HAVE_PG) pg = await startPg();
});
afterAll(async () => {
  await collector.down();
  pg?.stop();
  tmp.cleanup();
});

if (!HAVE_SQLITE) console.warn(`sqlite skipped: node:sqlite is not in Node ${process.versions.node}`);
if (!HAVE_PG) console.warn(`postgres skipped: ${PG_SKIP_REASON}`);

let n = 0;
const kinds = cliStoreEnvs(() => pg!.database(`outbox_${n++}`));

/**
 * Concurrent CLI processes per case. Twenty processes started at once on a 2-core machine all overlap in their
 * claims (each lives ~1 s under that load), which is what the race needs; before claiming, 50 teardowns sent
 * 424–510 POSTs for 50 records. 50 per case made this one file ~40% of the suite's CPU (600 CLI starts).
 */
const N = 20;

/** A fresh store of the kind, with N ready metered sandboxes created in this process (the CLI's wiring). */
async function sandboxes(kind: string, store: () => NodeJS.ProcessEnv) {
  const base = `${tmp.dir}/${kind}-${n++}`;
  const env = { SANDBOXER_STATE_DIR: `${base}/state`, SANDBOXER_STUB_DIR: `${base}/cloud`, ...store() };
  const manager = createManager({ env });
  const ids: string[] = [];
  for (let i = 0; i < N; i++)
    ids.push((await manager.create({ profileId: 'profile.saas-stub', ttl: '10m' })).id);
  return { env, ids, manager };
}

/** Every request the collector got for these sandboxes' usage records, by id. */
function postsFor(ids: string[]) {
  const want = new Set(ids.map(usageEventId));
  const mine = collector.received.filter((r) => want.has(r.id));
  const byId = new Map<string, typeof mine>();
  for (const r of mine) byId.set(r.id, [...(byId.get(r.id) ?? []), r]);
  return { mine, byId, want };
}

describe.each(kinds)(
  `fin-hub outbox claimed across ${N} CLI processes on one %s state store`,
  (kind, store) => {
    it(
      `${N} concurrent teardowns send exactly ${N} usage records, each id once`,
      { timeout: 400_000 },
      async () => {
        const { env, ids } = await sandboxes(kind, store);
        const hub = { ...env, SANDBOXER_FIN_HUB_URL: collector.url };
        const destroys = await Promise.all(ids.map((id) => cli(['destroy', id, '--json', '-q'], hub)));
        expect(destroys.filter((d) => d.code !== 0).map((d) => d.stderr)).toEqual([]);
        const replay = await cli(['export', 'replay', '--json', '-q'], hub);
        expect(json(replay)).toMatchObject({ delivered: [], duplicates: [], remaining: 0 });
        const { mine, byId, want } = postsFor(ids);
        console.log(`${kind}: ${N} concurrent teardowns → ${mine.length} POSTs for ${N} usage records`);
        expect([...byId.keys()].sort()).toEqual([...want].sort());
        expect(mine.length).toBe(N);
        expect(mine.every((r) => r.answered === 202)).toBe(true);
      },
    );

    it(
      `${N} concurrent replays with the first sends failing (5xx): each failed record is sent again and lands once`,
      { timeout: 400_000 },
      async () => {
        const { env, ids, manager } = await sandboxes(kind, store);
        // Torn down with export off: the replays find N settled sandboxes with no usage record acknowledged.
        for (const id of ids) await manager.destroy(id);
        const hub = { ...env, SANDBOXER_FIN_HUB_URL: collector.url };
        // Six failures in a row: the teardown/replay policy's own retries cannot absorb them all for one record.
        collector.script.push(...Array.from({ length: 6 }, () => ({ kind: 'error' as const, status: 503 })));
        const replays = await Promise.all(ids.map(() => cli(['export', 'replay', '--json', '-q'], hub)));
        expect(replays.every((r) => r.code === 0 || r.code === 1)).toBe(true);
        const final = await cli(['export', 'replay', '--json', '-q'], hub);
        expect(json(final)).toMatchObject({ remaining: 0 });
        const { mine, byId, want } = postsFor(ids);
        const failed = mine.filter((r) => r.answered === 503);
        console.log(
          `${kind}: ${N} concurrent replays, ${failed.length} sends answered 503 → ${mine.length} POSTs for ${N} usage records`,
        );
        expect([...byId.keys()].sort()).toEqual([...want].sort());
        expect(failed.length).toBe(6);
        // Sent once, plus once more after each failed send; the collector stored each record exactly once and
        // never had to answer a duplicate.
        expect(mine.length).toBe(N + failed.length);
        for (const [, posts] of byId) {
          expect(posts.filter((p) => p.stored)).toHaveLength(1);
          expect(posts.filter((p) => p.answered === 409)).toEqual([]);
        }
      },
    );
  },
);
