import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DECIMAL_RE } from '../../src/core/money.ts';
import { LABEL } from '../../src/core/labels.ts';
import { SandboxerError } from '../../src/core/errors.ts';
import type { BackendObject, OutputSink } from '../../src/extensions/contract.ts';
import { SandboxAccess } from '../../src/manager/access.ts';
import { mkdtempSync, readFileSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { create as tarCreate, extract as tarExtract } from 'tar';
import type { SandboxRecord } from '../../src/core/record.ts';
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
  /** What the sandbox serves, for the access tests (endpoints, logs) of extensions that claim them. */
  access?: {
    /** The service exec/logs/files target (compose); omitted for single-container backends. */
    service?: string;
    /** An HTTP endpoint the profile's sandbox serves: its body matches. */
    http?: { port: number; body: RegExp };
    /** A line the service logs at start. */
    logLine?: RegExp;
  };
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
    // One ready sandbox for the cases that only look at it (ready, labels, cost): a compose create is seconds of
    // the suite. The cost case tears it down; afterAll destroys it again (a no-op then) for a run without that case.
    let looked: Promise<SandboxRecord> | undefined;
    const lookedAt = () => (looked ??= m.create({ profileId: h.profileId, inputs: h.inputs ?? {} }));
    afterAll(async () => {
      const r = await looked?.catch(() => undefined);
      if (r) await m.destroy(r.id);
      await h.cleanup?.();
    });

    it('creates a sandbox that reaches ready with a handle and a recorded history', async () => {
      const r = await lookedAt();
      expect(r.state).toBe('ready');
      expect(Object.keys(r.handle).length).toBeGreaterThan(0);
      expect(r.history.map((t) => t.to)).toEqual(['requested', 'provisioning', 'ready']);
      expect(r.ready_at).toBeDefined();
    });

    it('puts ownership labels on the backend object', async () => {
      const r = await lookedAt();
      const objs = await objectsFor(h, m, r.id);
      expect(objs.length).toBeGreaterThanOrEqual(1);
      for (const o of objs) {
        expect(o.labels[LABEL.managed]).toBe('true');
        expect(o.labels[LABEL.sandboxId]).toBe(r.id);
        expect(o.labels[LABEL.profile]).toBe(h.profileId);
        expect(o.labels[LABEL.scope]).toBe(r.owner.scope);
      }
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

    it('tears down a listed object by itself (teardownObject, no record), idempotently', async () => {
      const r = await m.create({ profileId: h.profileId, inputs: h.inputs ?? {} });
      const { ext, manifest } = m.extensionFor(r);
      expect(ext.list, 'an extension that reaps lists its objects').toBeDefined();
      expect(ext.teardownObject, 'the list capability needs teardownObject').toBeTypeOf('function');
      const objs = await objectsFor(h, m, r.id);
      expect(objs.length).toBeGreaterThanOrEqual(1);
      const ctx = await m.contextFor(manifest, { config: r.config });
      for (const o of objs) {
        await ext.teardownObject!(ctx, o);
        await ext.teardownObject!(ctx, o); // already gone: still success
      }
      expect(await objectsFor(h, m, r.id)).toEqual([]);
      expect((await m.destroy(r.id)).state).toBe('destroyed'); // the record's own teardown finds nothing left
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
      const r = await lookedAt();
      const { ext, manifest } = m.extensionFor(r);
      const est = ext.estimateCost({ resources: r.resources, ttl_s: 3600, manifest });
      expect(est.usd).toMatch(DECIMAL_RE);
      if (manifest.pricing.model === 'metered') expect(Number(est.usd)).toBeGreaterThan(0);
      else expect(Number(est.usd)).toBe(0);
      const d = await m.destroy(r.id);
      // The labelled objects go with it.
      expect(await objectsFor(h, m, r.id)).toEqual([]);
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

    accessSuite(h, () => m);
  });
}

/** Collects what an exec or logs call streams. */
export function collect(): OutputSink & { out(): string; err(): string } {
  const o: Buffer[] = [];
  const e: Buffer[] = [];
  return {
    stdout: (c) => o.push(c),
    stderr: (c) => e.push(c),
    out: () => Buffer.concat(o).toString('utf8'),
    err: () => Buffer.concat(e).toString('utf8'),
  };
}

/** Endpoints, exec, logs and files, on every extension that declares them; `unsupported` on the rest. */
function accessSuite(h: ConformanceHarness, manager: () => SandboxManager): void {
  describe('access', () => {
    let id = '';
    let caps: Record<string, boolean> = {};
    let access: SandboxAccess;
    const service = () => (h.access?.service ? { service: h.access.service } : {});
    beforeAll(async () => {
      const m = manager();
      access = new SandboxAccess(m);
      const r = await m.create({ profileId: h.profileId, inputs: h.inputs ?? {} });
      id = r.id;
      caps = m.extensionFor(r).manifest.capabilities;
    });
    afterAll(async () => {
      if (id) await manager().destroy(id);
    });

    it('reports endpoints (host:port and a URL per http port) that answer, or says unsupported', async () => {
      if (!caps.endpoints) return expect(access.endpoints(id)).rejects.toMatchObject({ code: 'unsupported' });
      const eps = await access.endpoints(id);
      for (const e of eps) {
        expect(e.host).not.toBe('');
        expect(e.host_port).toBeGreaterThan(0);
        if (e.protocol === 'http') expect(e.url).toMatch(/^https?:\/\//);
      }
      if (h.access?.http) {
        const ep = eps.find((e) => e.port === h.access!.http!.port);
        expect(ep, `an endpoint for port ${h.access.http.port} in ${JSON.stringify(eps)}`).toBeDefined();
        const res = await fetch(ep!.url!);
        expect(await res.text()).toMatch(h.access.http.body);
      }
    });

    it('execs argv and shell commands: output streamed, exit code returned, stdin/env/cwd honoured', async () => {
      if (!caps.exec)
        return expect(access.exec(id, { argv: ['true'] }, collect())).rejects.toMatchObject({
          code: 'unsupported',
        });
      const a = collect();
      const r = await access.exec(
        id,
        { ...service(), argv: ['sh', '-c', 'echo out; echo err >&2; exit 3'] },
        a,
      );
      expect(r.exit_code).toBe(3);
      expect(a.out()).toBe('out\n');
      expect(a.err()).toBe('err\n');
      const hostile = `a b'"; $(touch /tmp/pwned) \`x\``;
      const b = collect();
      const r2 = await access.exec(id, { ...service(), argv: ['printf', '%s|', hostile, '$HOME'] }, b);
      expect(r2.exit_code).toBe(0);
      expect(b.out()).toBe(`${hostile}|$HOME|`);
      const c = collect();
      await access.exec(
        id,
        { ...service(), shell: 'cat; echo "$FOO"', stdin: 'in\n', env: { FOO: hostile } },
        c,
      );
      expect(c.out()).toBe(`in\n${hostile}\n`);
      const d = collect();
      await access.exec(id, { ...service(), argv: ['pwd'], cwd: '/tmp' }, d);
      expect(d.out().trim()).toBe('/tmp');
      const e = collect();
      const r3 = await access.exec(id, { ...service(), argv: ['sleep', '30'], timeout_s: 1 }, e);
      expect(r3.timed_out).toBe(true);
      expect(r3.exit_code).not.toBe(0);
    });

    it('streams service logs (tail), or says unsupported', async () => {
      if (!caps.logs)
        return expect(access.logs(id, {}, collect())).rejects.toMatchObject({ code: 'unsupported' });
      const o = collect();
      await access.logs(id, { ...service(), tail: 50 }, o);
      if (h.access?.logLine) expect(o.out() + o.err()).toMatch(h.access.logLine);
    });

    it('puts a directory in as tar and gets it back byte for byte, or says unsupported', async () => {
      const local = mkdtempSync(join(tmpdir(), 'sbx-files-'));
      try {
        if (!caps.files)
          return await expect(access.getFiles(id, { path: 'x' })).rejects.toMatchObject({
            code: 'unsupported',
          });
        const src = join(local, 'src');
        mkdirSync(join(src, 'sub dir'), { recursive: true });
        writeFileSync(join(src, 'sub dir', "it's $(x).txt"), 'hello\n');
        const big = Buffer.alloc(300_000, 7);
        writeFileSync(join(src, 'big.bin'), big);
        const dest = `/tmp/sbx-conf-${id}`;
        await access.putFiles(
          id,
          { ...service(), path: dest },
          tarCreate({ cwd: src, portable: true }, ['.']) as unknown as NodeJS.ReadableStream,
        );
        const c = collect();
        await access.exec(id, { ...service(), argv: ['cat', `${dest}/sub dir/it's $(x).txt`] }, c);
        expect(c.out()).toBe('hello\n');
        const back = join(local, 'back');
        mkdirSync(back);
        await pipeline(await access.getFiles(id, { ...service(), path: dest }), tarExtract({ cwd: back }));
        const base = dest.slice(dest.lastIndexOf('/') + 1);
        expect(readFileSync(join(back, base, 'big.bin')).equals(big)).toBe(true);
        expect(readFileSync(join(back, base, 'sub dir', "it's $(x).txt"), 'utf8')).toBe('hello\n');
      } finally {
        rmSync(local, { recursive: true, force: true });
      }
    });
  });
}
