import type { Catalog } from '../../src/catalog/loader.ts';
import type { ExtensionManifest } from '../../src/catalog/schema.ts';
import type { Clock } from '../../src/core/clock.ts';
import { BackendError, CancelledError } from '../../src/core/errors.ts';
import type { Extension } from '../../src/extensions/contract.ts';
import { estimateFromPricing, meterFromPricing } from '../../src/payments/pricing.ts';

/**
 * A fake cloud backend (stands in for E2B / Modal, which are outside systems): keeps its "objects" in a map and
 * can be told to fail, to hang until cancelled, or to take a number of (fake-clock) seconds to become ready.
 */
export interface FakeCloud {
  objects: Map<string, Record<string, string>>;
  calls: string[];
  /** Secrets seen by the last provision, by name (tests assert the value arrived). */
  seenSecrets: Record<string, string | undefined>;
  mode: 'ok' | 'retryable' | 'fatal' | 'hang';
  readySeconds: number;
  factory: (manifest: ExtensionManifest) => Extension;
}

export function fakeCloud(clock?: FakeClock): FakeCloud {
  const fake: FakeCloud = {
    objects: new Map(),
    calls: [],
    seenSecrets: {},
    mode: 'ok',
    readySeconds: 0,
    factory: (manifest) => ({
      id: manifest.id,
      async provision(ctx) {
        fake.calls.push('provision');
        for (const c of manifest.credentials) fake.seenSecrets[c.name] = ctx.secrets.get(c.name);
        const backend_id = `${manifest.id}-${ctx.sandbox.id}`;
        fake.objects.set(backend_id, ctx.labels);
        await ctx.saveHandle({ backend_id });
        if (fake.mode === 'retryable')
          throw new BackendError(manifest.id, 'capacity exhausted (HTTP 503)', {
            retryable: true,
            status: 503,
          });
        if (fake.mode === 'fatal')
          throw new BackendError(manifest.id, 'template not found (HTTP 400)', {
            retryable: false,
            status: 400,
          });
        if (fake.mode === 'hang')
          await new Promise((_, reject) =>
            ctx.signal.addEventListener('abort', () => reject(new CancelledError()), { once: true }),
          );
        return { handle: { backend_id } };
      },
      async waitReady() {
        fake.calls.push('waitReady');
        clock?.advance(fake.readySeconds);
      },
      async teardown(ctx) {
        fake.calls.push('teardown');
        const id = ctx.sandbox.handle.backend_id;
        if (typeof id === 'string') fake.objects.delete(id);
      },
      estimateCost: ({ resources, ttl_s }) => estimateFromPricing(manifest.pricing, resources, ttl_s),
      meterActual: ({ sandbox, ended_at }) =>
        meterFromPricing(
          manifest.pricing,
          sandbox.resources,
          sandbox.ready_at ?? sandbox.created_at,
          ended_at,
        ),
    }),
  };
  return fake;
}

/**
 * The fake implements the lifecycle only (provision, waitReady, teardown, pricing): the manifests it stands in
 * for declare only that, as the registry requires of any adapter (a declared capability must have its method).
 */
export function lifecycleOnly(catalog: Catalog, ids: string[]): Catalog {
  for (const id of ids) {
    const m = catalog.extensions.get(id)!.value;
    for (const cap of Object.keys(m.capabilities) as (keyof typeof m.capabilities)[]) {
      if (cap !== 'host_expiry') m.capabilities[cap] = false;
    }
  }
  return catalog;
}

export class FakeClock implements Clock {
  private t = Date.parse('2026-03-01T10:00:00Z');
  now() {
    return new Date(this.t);
  }
  advance(seconds: number) {
    this.t += seconds * 1000;
  }
}
