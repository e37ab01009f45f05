import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/loader.ts';
import { defaultRegistry } from '../../src/extensions/registry.ts';
import { SandboxManager } from '../../src/manager/manager.ts';
import { reapStale } from '../../src/reaper/reap.ts';
import { findStale } from '../../src/reaper/stale.ts';
import { SqliteStateStore } from '../../src/state/sqlite/sqlite-store.ts';
import { tempDir } from '../helpers/env.ts';
import { HAVE_SQLITE, record } from '../state/stores.ts';

/**
 * A reap pass on a SQL store reads the live records from the index, not the whole history (#16: serve runs one
 * every minute), and still explains an orphan by its settled record, read by id for the objects listed.
 */
describe.skipIf(!HAVE_SQLITE)('a reap pass over a long history', () => {
  const tmp = tempDir('sbx-reap-history-');
  afterAll(() => tmp.cleanup());
  const stubDir = join(tmp.dir, 'stub');
  const SCOPE = 'test:reap-history';

  it('reads live records and the records of listed objects only; orphans are judged as before', async () => {
    const store = new SqliteStateStore(join(tmp.dir, 'state.db'));
    const m = new SandboxManager({
      catalog: loadCatalog(),
      registry: defaultRegistry(),
      store,
      owner: { scope: SCOPE },
      env: { SANDBOXER_STATE_DIR: tmp.dir, SANDBOXER_STUB_DIR: stubDir },
    });
    const settled = 300;
    for (let i = 0; i < settled; i++)
      await store.createSandbox(record(undefined, { state: 'destroyed', owner: { scope: SCOPE } }));
    const live = await m.create({ profileId: 'profile.saas-stub', ttl: '1h' });
    // A record that says destroyed while its object remains (a teardown that lied): an orphan.
    const leaked = await m.create({ profileId: 'profile.saas-stub', ttl: '1h' });
    await store.updateSandbox(leaked.id, (r) => ({ ...r, state: 'destroyed' }));

    const report = await findStale(m, { minOrphanAge_s: 0, extensions: ['ext.saas-stub'] });
    // The live one from the index, the leaked one by id: 2 of 302 records.
    expect(report.examined.records).toBe(2);
    expect(report.examined.live_records).toBe(1);
    expect(report.items).toEqual([
      expect.objectContaining({
        kind: 'orphaned',
        sandbox_id: leaked.id,
        reason: `record ${leaked.id} is destroyed`,
      }),
    ]);

    const reaped = await reapStale(m, {
      apply: true,
      minOrphanAge_s: 0,
      extensions: ['ext.saas-stub'],
      replayOutbox: false,
    });
    expect(reaped.actions.map((a) => [a.kind, a.sandbox_id, a.outcome])).toEqual([
      ['orphaned', leaked.id, 'done'],
    ]);
    const objects = join(stubDir, 'objects');
    const left = existsSync(objects) ? readdirSync(objects).filter((f) => f.endsWith('.json')) : [];
    expect(left).toEqual([`${String(live.handle.backend_id)}.json`]);
    await m.destroy(live.id);
  });
});
