import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/loader.ts';
import type { SandboxRecord } from '../../src/core/record.ts';
import {
  LATENCY_COLLECTION,
  LATENCY_WINDOW,
  LatencyHistory,
  LatencyRecorder,
} from '../../src/routing/latency.ts';
import { MemoryStateStore } from '../../src/state/memory/memory-store.ts';
import { FakeClock } from './fakes.ts';

const manifest = loadCatalog().extensions.get('ext.saas-stub')!.value;

function record(id: string, provisioningAt: string, readyAt: string): SandboxRecord {
  return {
    id,
    extension_id: 'ext.saas-stub',
    ready_at: readyAt,
    history: [
      { from: null, to: 'requested', at: provisioningAt },
      { from: 'requested', to: 'provisioning', at: provisioningAt },
      { from: 'provisioning', to: 'ready', at: readyAt },
    ],
  } as unknown as SandboxRecord;
}

describe('LatencyRecorder and LatencyHistory', () => {
  it('falls back to the default, then uses the median of recorded samples', async () => {
    const store = new MemoryStateStore();
    const history = new LatencyHistory(store);
    expect((await history.estimates([manifest])).get('ext.saas-stub')).toEqual({
      latency_s: 1,
      source: 'default',
      samples: 0,
    });
    const rec = new LatencyRecorder(store, new FakeClock());
    const base = Date.parse('2026-03-01T10:00:00Z');
    for (const [i, s] of [4, 10, 6].entries()) {
      const start = new Date(base + i * 60_000).toISOString();
      const end = new Date(base + i * 60_000 + s * 1000).toISOString();
      await rec.onTransition({
        record: record(`sbx-00000000000${i}`, start, end),
        from: 'provisioning',
        to: 'ready',
      });
    }
    expect((await history.estimates([manifest])).get('ext.saas-stub')).toEqual({
      latency_s: 6,
      source: 'history',
      samples: 3,
    });
    // A replayed transition is a no-op (append-once per sandbox).
    await rec.onTransition({
      record: record('sbx-000000000000', new Date(base).toISOString(), new Date(base + 99_000).toISOString()),
      from: 'provisioning',
      to: 'ready',
    });
    expect(await store.readCollection(LATENCY_COLLECTION)).toHaveLength(3);
  });

  it('measures from the start of the attempt that succeeded and keeps a bounded window', async () => {
    const store = new MemoryStateStore();
    const clock = new FakeClock();
    const rec = new LatencyRecorder(store, clock);
    for (let i = 0; i < LATENCY_WINDOW + 5; i++) {
      const id = `sbx-${String(i).padStart(12, '0')}`;
      const start = clock.now().toISOString();
      const r = record(id, start, start);
      await rec.beforeProvision({ record: r } as Parameters<LatencyRecorder['beforeProvision']>[0]);
      clock.advance(i + 1);
      await rec.onTransition({
        record: { ...r, ready_at: clock.now().toISOString() },
        from: 'provisioning',
        to: 'ready',
      });
    }
    const samples = await store.readCollection(LATENCY_COLLECTION);
    expect(samples).toHaveLength(LATENCY_WINDOW);
    const est = (await new LatencyHistory(store).estimates([manifest])).get('ext.saas-stub')!;
    // The last 20 samples are 6..25 s: median 15.5.
    expect(est).toEqual({ latency_s: 15.5, source: 'history', samples: LATENCY_WINDOW });
  });
});
