import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DECIMAL_RE } from '../../src/core/money.ts';
import { LABEL } from '../../src/core/labels.ts';
import { SandboxerError } from '../../src/core/errors.ts';
import type { BackendObject } from '../../src/extensions/contract.ts';
import type { SandboxManager } from '../../src/manager/manager.ts';

/**
 * The one conformance suite every extension passes, through the real SandboxManager path: create → ready,
 * ownership labels on the backend object, idempotent teardown (also of a half-provisioned sandbox), snapshot and
 * restore where declared (a clear `unsupported` error where not), cost estimate, error mapping, and cancellation
 * during provision leaving nothing behind.
 */
export interface ConformanceHarness {
  /** Shown in the describe() title. */
  name: string;
  profileId: string;
  inputs?: Record<string, string>;
  /** A manager wired to this backend (fresh state store per call is fine). */
  manager(): Promise<SandboxManager>;
  /** Every object of ours that exists on the backend right now. */
  backendObjects(m: SandboxManager): Promise<BackendObject[]>;
  /** Make provisioning fail in the given way until the returned undo runs. */
  injectFault(kind: 'retryable' | 'fatal'): Promise<() => Promise<void>>;
  /** Make provisioning take at least ~1 s after the backend object exists, until the undo runs. */
  slowProvision(): Promise<() => Promise<void>>;
  setup?(): Promise<void>;
  cleanup?(): Promise<void>;
}

const objectsFor = async (h: ConformanceHarness, m: SandboxManager, sandboxId: string) =>
  (await h.backendObjects(m)).filter(
    (o) => o.labels[LABEL.sandboxId] === sandboxId || o.sandbox_id === sandboxId,
  );

export function conformanceSuite(h: ConformanceHarness): void {
  describe(`conformance: ${h.name}`, () => {
    let m: SandboxManager;
    beforeAll(async () => {
      await h.setup?.();
      m = await h.manager();
    });
    afterAll(async () => {
      await h.cleanup?.();
    });

    it('creates a sandbox that reaches ready with a handle and a recorded history', async () => {
      const r = await m.create({ profileId: h.profileId, inputs: h.inputs ?? {} });
      expect(r.state).toBe('ready');
      expect(Object.keys(r.handle).length).toBeGreaterThan(0);
      expect(r.history.map((t) => t.to)).toEqual(['requested', 'provisioning', 'ready']);
      expect(r.ready_at).toBeDefined();
      await m.destroy(r.id);
    });

    it('puts ownership labels on the backend object', async () => {
      const r = await m.create({ profileId: h.profileId, inputs: h.inputs ?? {} });
      const objs = await objectsFor(h, m, r.id);
      expect(objs.length).toBeGreaterThanOrEqual(1);
      for (const o of objs) {
        expect(o.labels[LABEL.managed]).toBe('true');
        expect(o.labels[LABEL.sandboxId]).toBe(r.id);
        expect(o.labels[LABEL.profile]).toBe(h.profileId);
        expect(o.labels[LABEL.scope]).toBe(r.owner.scope);
      }
      await m.destroy(r.id);
      expect(await objectsFor(h, m, r.id)).toEqual([]);
    });

    it('tears down idempotently: destroy twice, and the extension teardown again', async () => {
      const r = await m.create({ profileId: h.profileId, inputs: h.inputs ?? {} });
      const d1 = await m.destroy(r.id);
      expect(d1.state).toBe('destroyed');
      const d2 = await m.destroy(r.id);
      expect(d2.state).toBe('destroyed');
      expect(d2.revision).toBe(d1.revision); // the second destroy changed nothing
      const { ext, manifest } = m.extensionFor(d1);
      const ctx = await m.contextFor(manifest, { config: d1.config });
      await ext.teardown({ ...ctx, sandbox: d1 });
      expect(await objectsFor(h, m, r.id)).toEqual([]);
    });

    it('tears down a half-provisioned sandbox (no handle yet) without error', async () => {
      const r = await m.create({ profileId: h.profileId, inputs: h.inputs ?? {} });
      const { ext, manifest } = m.extensionFor(r);
      const ctx = await m.contextFor(manifest, { config: r.config });
      await ext.teardown({ ...ctx, sandbox: { ...r, handle: {} } });
      await m.destroy(r.id);
      expect(await objectsFor(h, m, r.id)).toEqual([]);
    });

    it('estimates cost as a decimal string consistent with the pricing model', async () => {
      const r = await m.create({ profileId: h.profileId, inputs: h.inputs ?? {} });
      const { ext, manifest } = m.extensionFor(r);
      const est = ext.estimateCost({ resources: r.resources, ttl_s: 3600, manifest });
      expect(est.usd).toMatch(DECIMAL_RE);
      if (manifest.pricing.model === 'metered') expect(Number(est.usd)).toBeGreaterThan(0);
      else expect(Number(est.usd)).toBe(0);
      const d = await m.destroy(r.id);
      if (manifest.pricing.model === 'metered') {
        expect(d.meter?.actual_usd).toMatch(DECIMAL_RE);
        expect(d.meter!.duration_s).toBeGreaterThanOrEqual(0);
      } else {
        expect(d.meter).toBeUndefined();
      }
    });

    it('snapshots and restores where supported, and says so clearly where not', async () => {
      const r = await m.create({ profileId: h.profileId, inputs: h.inputs ?? {} });
      const { manifest } = m.extensionFor(r);
      if (!manifest.capabilities.snapshot) {
        await expect(m.snapshot(r.id)).rejects.toMatchObject({ code: 'unsupported' });
        await m.destroy(r.id);
        return;
      }
      const snap = await m.snapshot(r.id, 'conformance');
      expect(snap.state).toBe('available');
      await m.destroy(r.id);
      if (manifest.capabilities.restore) {
        const restored = await m.restore(snap.id);
        expect(restored.state).toBe('ready');
        expect(restored.restored_from).toBe(snap.id);
        await m.destroy(restored.id);
        expect(await objectsFor(h, m, restored.id)).toEqual([]);
      }
    });

    it('maps a retryable backend failure to retryable, a fatal one to not, and leaves nothing behind', async () => {
      for (const kind of ['retryable', 'fatal'] as const) {
        const undo = await h.injectFault(kind);
        let err: unknown;
        try {
          await m.create({ profileId: h.profileId, inputs: h.inputs ?? {} });
        } catch (e) {
          err = e;
        } finally {
          await undo();
        }
        expect(err).toBeInstanceOf(SandboxerError);
        expect((err as SandboxerError).retryable).toBe(kind === 'retryable');
        const failed = (await m.list({ state: ['failed'] })).at(-1)!;
        expect(failed.error).toBeDefined();
        expect(failed.cleanup_pending).toBe(false);
        expect(await objectsFor(h, m, failed.id)).toEqual([]);
      }
    });

    it('cancellation during provision tears down what was made and records failed', async () => {
      const undo = await h.slowProvision();
      const controller = new AbortController();
      try {
        const pending = m.create({
          profileId: h.profileId,
          inputs: h.inputs ?? {},
          signal: controller.signal,
        });
        // Abort once the backend object exists (the handle has been saved).
        for (let i = 0; i < 400; i++) {
          const live = await m.list({ state: ['provisioning'] });
          if (live.some((r) => Object.keys(r.handle).length > 0)) break;
          await new Promise((res) => setTimeout(res, 25));
        }
        controller.abort();
        await expect(pending).rejects.toMatchObject({ code: 'cancelled' });
      } finally {
        await undo();
      }
      const failed = (await m.list({ state: ['failed'] })).at(-1)!;
      expect(failed.error?.code).toBe('cancelled');
      expect(await objectsFor(h, m, failed.id)).toEqual([]);
    });
  });
}
