import * as z from 'zod';
import type { ExtensionManifest } from '../catalog/schema.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import type { LifecycleHooks } from '../events/hooks.ts';
import type { StateStore } from '../state/store.ts';

/** The state-store collection of time-to-ready samples (one append-once entry per sandbox that became ready). */
export const LATENCY_COLLECTION = 'latency';
/** Samples kept per extension; older ones are pruned by the recorder. */
export const LATENCY_WINDOW = 20;

export const LatencySample = z
  .object({
    extension_id: z.string(),
    sandbox_id: z.string(),
    ready_s: z.number().nonnegative(),
    at: z.string(),
  })
  .strict();
export type LatencySample = z.infer<typeof LatencySample>;

export interface LatencyEstimate {
  latency_s: number;
  source: 'history' | 'default';
  samples: number;
}

async function samplesByExtension(
  store: StateStore,
): Promise<Map<string, { key: string; s: LatencySample }[]>> {
  const out = new Map<string, { key: string; s: LatencySample }[]>();
  for (const { key, value } of await store.readCollection(LATENCY_COLLECTION)) {
    const r = LatencySample.safeParse(value);
    if (!r.success) continue;
    const list = out.get(r.data.extension_id) ?? [];
    list.push({ key, s: r.data });
    out.set(r.data.extension_id, list);
  }
  for (const list of out.values()) list.sort((a, b) => a.s.at.localeCompare(b.s.at));
  return out;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** Time-to-ready per extension: the median of the recent samples, else the manifest's `latency.default_ready_s`. */
export class LatencyHistory {
  constructor(private readonly store: StateStore | undefined) {}

  async estimates(manifests: ExtensionManifest[]): Promise<Map<string, LatencyEstimate>> {
    const byExt = this.store ? await samplesByExtension(this.store) : new Map();
    const out = new Map<string, LatencyEstimate>();
    for (const m of manifests) {
      const recent = (byExt.get(m.id) ?? [])
        .slice(-LATENCY_WINDOW)
        .map((e: { s: LatencySample }) => e.s.ready_s);
      out.set(
        m.id,
        recent.length
          ? { latency_s: Math.round(median(recent) * 1000) / 1000, source: 'history', samples: recent.length }
          : { latency_s: m.latency.default_ready_s, source: 'default', samples: 0 },
      );
    }
    return out;
  }
}

/**
 * Records time-to-ready: from the start of the attempt on the extension that became ready (after any fallback)
 * to the `ready` transition. Attempts started in another process fall back to the record's `provisioning` entry.
 */
export class LatencyRecorder implements LifecycleHooks {
  readonly name = 'latency-recorder';
  private readonly started = new Map<string, { extension_id: string; at: number }>();

  constructor(
    private readonly store: StateStore,
    private readonly clock: Clock = systemClock,
  ) {}

  async beforeProvision({ record }: Parameters<NonNullable<LifecycleHooks['beforeProvision']>>[0]) {
    this.started.set(record.id, { extension_id: record.extension_id, at: this.clock.now().getTime() });
  }

  async onTransition({ record, to }: Parameters<NonNullable<LifecycleHooks['onTransition']>>[0]) {
    if (to !== 'ready') {
      if (to !== 'provisioning') this.started.delete(record.id);
      return;
    }
    const mine = this.started.get(record.id);
    this.started.delete(record.id);
    const start =
      mine?.extension_id === record.extension_id
        ? mine.at
        : Date.parse(record.history.find((h) => h.to === 'provisioning')?.at ?? '');
    const end = Date.parse(record.ready_at ?? '') || this.clock.now().getTime();
    if (!Number.isFinite(start) || end < start) return;
    const sample: LatencySample = {
      extension_id: record.extension_id,
      sandbox_id: record.id,
      ready_s: Math.round(end - start) / 1000,
      at: new Date(end).toISOString(),
    };
    await this.store.appendOnce(LATENCY_COLLECTION, `${record.extension_id}.${record.id}`, sample);
    const list = (await samplesByExtension(this.store)).get(record.extension_id) ?? [];
    for (const old of list.slice(0, Math.max(0, list.length - LATENCY_WINDOW)))
      await this.store.removeFromCollection(LATENCY_COLLECTION, old.key);
  }
}
