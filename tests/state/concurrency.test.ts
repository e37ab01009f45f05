import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxRecord } from '../../src/core/record.ts';
import { cli, json } from '../helpers/cli.ts';
import { tempDir } from '../helpers/env.ts';
import { PG_SKIP_REASON, startPg, type PgServer } from './pg-server.ts';
import { cliStoreEnvs, HAVE_PG, HAVE_SQLITE } from './stores.ts';

const tmp = tempDir('sbx-concurrency-');
let pg: PgServer | undefined;
beforeAll(async () => {
  if (HAVE_PG) pg = await startPg();
});
afterAll(() => {
  pg?.stop();
  tmp.cleanup();
});

if (!HAVE_SQLITE) console.warn(`sqlite skipped: node:sqlite is not in Node ${process.versions.node}`);
if (!HAVE_PG) console.warn(`postgres skipped: ${PG_SKIP_REASON}`);

const kinds = cliStoreEnvs(() => pg!.database('concurrency'));

describe.each(kinds)('50 concurrent CLI processes on one %s state store', (kind, store) => {
  it(
    'lose no record, and concurrent destroys of one sandbox tear it down once',
    { timeout: 300_000 },
    async () => {
      const env = {
        SANDBOXER_STATE_DIR: `${tmp.dir}/${kind}/state`,
        SANDBOXER_STUB_DIR: `${tmp.dir}/${kind}/cloud`,
        ...store(),
      };
      const results = await Promise.all(
        Array.from({ length: 50 }, () =>
          cli(['create', '--profile', 'profile.saas-stub', '--json', '-q'], env),
        ),
      );
      const failures = results.filter((r) => r.code !== 0);
      expect(failures.map((f) => f.stderr)).toEqual([]);
      const ids = results.map((r) => json<SandboxRecord>(r).id);
      expect(new Set(ids).size).toBe(50);

      const listed = json<SandboxRecord[]>(await cli(['list', '--json'], env));
      expect(listed.map((r) => r.id).sort()).toEqual([...ids].sort());
      expect(listed.every((r) => r.state === 'ready')).toBe(true);

      const target = ids[0]!;
      const destroys = await Promise.all(
        Array.from({ length: 8 }, () => cli(['destroy', target, '--json', '-q'], env)),
      );
      expect(destroys.map((d) => d.code)).toEqual(Array(8).fill(0));
      const final = json<SandboxRecord>(await cli(['get', target, '--json'], env));
      expect(final.state).toBe('destroyed');
      expect(final.history.filter((h) => h.to === 'destroying')).toHaveLength(1);
      expect(final.history.filter((h) => h.to === 'destroyed')).toHaveLength(1);
    },
  );
});
