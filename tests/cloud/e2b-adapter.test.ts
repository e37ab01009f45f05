import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/loader.ts';
import { BackendError, SandboxerError } from '../../src/core/errors.ts';
import { LABEL } from '../../src/core/labels.ts';
import type { Owner } from '../../src/core/record.ts';
import { mapE2bError } from '../../src/extensions/e2b/errors.ts';
import { defaultRegistry } from '../../src/extensions/registry.ts';
import { SandboxManager } from '../../src/manager/manager.ts';
import { FileStateStore } from '../../src/state/file/file-store.ts';
import { FakeE2bServer } from '../fakes/e2b-server.ts';
import { tempDir } from '../helpers/env.ts';

/** ext.e2b through the real `e2b` SDK against the local E2B API: labels, TTL, paging, errors, metering. */
const tmp = tempDir('sbx-e2b-');
const server = new FakeE2bServer();
const env: NodeJS.ProcessEnv = { SANDBOXER_STATE_DIR: tmp.dir };
const catalog = loadCatalog();
const registry = defaultRegistry();
const manifest = catalog.extensions.get('ext.e2b')!.value;
const owner: Owner = { scope: 'github:acme/app', repository: 'acme/app', run_id: '4242', run_attempt: '2' };
const manager = () =>
  new SandboxManager({ catalog, registry, store: new FileStateStore(tmp.dir), owner, env });

async function createError(m: SandboxManager, ttl?: string): Promise<SandboxerError> {
  try {
    await m.create({ profileId: 'profile.e2b-burst', ...(ttl ? { ttl } : {}) });
  } catch (err) {
    expect(err).toBeInstanceOf(SandboxerError);
    return err as SandboxerError;
  }
  throw new Error('create succeeded but was expected to fail');
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

beforeAll(async () => {
  await server.start();
  Object.assign(env, server.env());
});
afterAll(async () => {
  await server.stop();
  tmp.cleanup();
});
beforeEach(() => {
  server.clearFaults();
  server.startupDelayMs = 0;
});

describe('ext.e2b provisioning', () => {
  it('creates from the template with the TTL as timeout, ownership labels as metadata, and config env', async () => {
    const cat = loadCatalog();
    cat.profiles.get('profile.e2b-burst')!.value.config.env = { APP_ENV: 'ci', WORKERS: 4 };
    const m = new SandboxManager({ catalog: cat, registry, store: new FileStateStore(tmp.dir), owner, env });
    const r = await m.create({ profileId: 'profile.e2b-burst', ttl: '20m' });
    const sb = server.sandboxes.get(String(r.handle.backend_id))!;
    expect(sb.templateID).toBe('base');
    // E2B's timeout is what was left of the 20m TTL when create (and then connect) ran, never more.
    const sent = server.requests
      .filter((q) => q.path === '/v2/sandboxes' || q.path === `/v2/sandboxes/${sb.sandboxID}/connect`)
      .filter((q) => q.method === 'POST')
      .map((q) => (q.body as { timeout: number }).timeout);
    expect(sent.length).toBeGreaterThanOrEqual(2);
    for (const t of sent.slice(-2)) {
      expect(t).toBeLessThanOrEqual(20 * 60);
      expect(t).toBeGreaterThan(18 * 60);
    }
    expect(sb.metadata).toMatchObject({
      [LABEL.managed]: 'true',
      [LABEL.sandboxId]: r.id,
      [LABEL.profile]: 'profile.e2b-burst',
      [LABEL.repository]: 'acme/app',
      [LABEL.runId]: '4242',
      [LABEL.runAttempt]: '2',
      [LABEL.expiresAt]: r.expires_at,
    });
    expect(sb.envVars).toEqual({ APP_ENV: 'ci', WORKERS: '4' });
    expect(r.handle).toMatchObject({
      template: 'base',
      cpu_count: 2,
      memory_mb: 512,
      started_at: sb.startedAt,
    });
    expect(r.placement).toMatchObject({ provider: 'e2b', template: 'base' });
    // The SDK's v2 create path carried the key and nothing else secret.
    const create = server.requests.find((q) => q.method === 'POST' && q.path === '/v2/sandboxes')!;
    expect(create.apiKey).toBe(server.apiKey);
    await m.destroy(r.id);
    expect(server.sandboxes.has(String(r.handle.backend_id))).toBe(false);
  });

  it('meters from E2B start time on the allocated resources with the declared per-second prices', async () => {
    const m = manager();
    const r = await m.create({ profileId: 'profile.e2b-burst' });
    const d = await m.destroy(r.id);
    expect(d.meter).toMatchObject({
      started_at: r.handle.started_at,
      pricing: { per_vcpu_second_usd: '0.000014', per_gib_second_usd: '0.0000045', cpu: 2, memory_mib: 512 },
    });
    // 2 vCPU × 0.000014 + 0.5 GiB × 0.0000045 = 0.00003025 $/s
    const expected = (d.meter!.duration_s * 30.25) / 1e6;
    expect(Number(d.meter!.actual_usd)).toBeCloseTo(expected, 6);
    const ext = registry.get(manifest);
    expect(Number(ext.estimateCost({ resources: r.resources, ttl_s: 3600, manifest }).usd)).toBe(0.1089);
  });

  it('refuses a lifetime beyond the configured E2B maximum instead of shortening it', async () => {
    const creates = () =>
      server.requests.filter((q) => q.method === 'POST' && q.path === '/v2/sandboxes').length;
    const before = creates();
    // The shipped profile keeps ttl.max within the cap (catalog load checks it); a profile edited in memory
    // past it still meets the adapter's own refusal.
    const cat = loadCatalog();
    cat.profiles.get('profile.e2b-burst')!.value.ttl.max = '24h';
    const m = new SandboxManager({ catalog: cat, registry, store: new FileStateStore(tmp.dir), owner, env });
    const err = await createError(m, '2h');
    expect(err).toMatchObject({ code: 'backend', retryable: false });
    expect(err.hint).toContain('max_timeout_s');
    expect(creates()).toBe(before); // refused before anything was made
  });

  it('tears down a sandbox E2B already removed (expired or killed elsewhere) as success', async () => {
    const m = manager();
    const r = await m.create({ profileId: 'profile.e2b-burst' });
    server.sandboxes.delete(String(r.handle.backend_id));
    const d = await m.destroy(r.id);
    expect(d.state).toBe('destroyed');
    expect(d.meter?.actual_usd).toBeDefined();
  });

  it('waits while envd is not up yet or its probe fails transiently', async () => {
    server.startupDelayMs = 500;
    const undo = server.inject({ op: 'health', status: 503, times: 2 });
    const m = manager();
    const r = await m.create({ profileId: 'profile.e2b-burst' });
    undo();
    expect(r.state).toBe('ready');
    const probes = server.requests.filter((q) => q.path === '/health');
    expect(probes.length).toBeGreaterThanOrEqual(3);
    await m.destroy(r.id);
  });

  it('without a saved id, teardown kills what E2B made for the sandbox, found by its label', async () => {
    const m = manager();
    const r = await m.create({ profileId: 'profile.e2b-burst' });
    // A second object for the same record, as if a cut-short create had made one we never heard of.
    const [stray] = server.seed(1, { [LABEL.managed]: 'true', [LABEL.sandboxId]: r.id });
    const ext = registry.get(manifest);
    await ext.teardown({ ...(await m.contextFor(manifest)), sandbox: { ...r, handle: {} } });
    expect(server.sandboxes.has(stray!.sandboxID)).toBe(false);
    expect(server.sandboxes.has(String(r.handle.backend_id))).toBe(false);
    expect((await m.destroy(r.id)).state).toBe('destroyed');
  });

  it('extends the TTL with set-timeout, and refuses past the maximum', async () => {
    const m = manager();
    const r = await m.create({ profileId: 'profile.e2b-burst', ttl: '10m' });
    const sb = server.sandboxes.get(String(r.handle.backend_id))!;
    const before = Date.parse(sb.endAt);
    const { pushed, record } = await m.extendTtl(r.id, '20m');
    expect(pushed).toBe(true);
    expect(Date.parse(sb.endAt)).toBeGreaterThan(before);
    // set-timeout carried the time from now to the new expiry (10m TTL + 20m): at most 30m.
    const set = server.requests.filter((q) => q.path === `/sandboxes/${sb.sandboxID}/timeout`).at(-1)!;
    const sentTimeout = (set.body as { timeout: number }).timeout;
    expect(sentTimeout).toBeLessThanOrEqual(30 * 60 + 1);
    expect(sentTimeout).toBeGreaterThan(28 * 60);
    expect(record.expires_at).toBe(new Date(Date.parse(r.expires_at!) + 20 * 60 * 1000).toISOString());
    // The profile's ttl.max (1h, within E2B's cap) refuses first; past it, E2B's own maximum still would.
    await expect(m.extendTtl(r.id, '23h')).rejects.toMatchObject({
      code: 'usage',
      message: expect.stringContaining('maximum lifetime of 1h') as unknown,
    });
    const cat = loadCatalog();
    cat.profiles.get('profile.e2b-burst')!.value.ttl.max = '24h';
    const loose = new SandboxManager({
      catalog: cat,
      registry,
      store: new FileStateStore(tmp.dir),
      owner,
      env,
    });
    await expect(loose.extendTtl(r.id, '23h')).rejects.toMatchObject({ code: 'backend', retryable: false });
    await m.destroy(r.id);
  });

  it('snapshots via the snapshots API; the snapshot outlives its sandbox and restores; delete is idempotent', async () => {
    const m = manager();
    const r = await m.create({ profileId: 'profile.e2b-burst' });
    const snap = await m.snapshot(r.id, 'before-tests');
    const snapId = String(snap.handle.snapshot_backend_id);
    expect(server.snapshots.has(snapId)).toBe(true);
    await m.destroy(r.id);
    const restored = await m.restore(snap.id);
    expect(server.sandboxes.get(String(restored.handle.backend_id))!.templateID).toBe(snapId);
    await m.destroy(restored.id);
    const ext = registry.get(manifest);
    const ctx = await m.contextFor(manifest);
    await ext.deleteSnapshot!(ctx, snap);
    expect(server.snapshots.has(snapId)).toBe(false);
    await ext.deleteSnapshot!(ctx, snap);
  });

  it('keeps the API key out of the state store', async () => {
    const m = manager();
    const r = await m.create({ profileId: 'profile.e2b-burst' });
    await m.destroy(r.id);
    for (const f of filesUnder(tmp.dir)) expect(readFileSync(f, 'utf8')).not.toContain(server.apiKey);
  });
});

describe('ext.e2b list (reaping)', () => {
  it('follows X-Next-Token over every page and filters by metadata', async () => {
    const scope = 'test:paging';
    server.seed(230, { [LABEL.managed]: 'true', [LABEL.scope]: scope, [LABEL.sandboxId]: 'sbx-seeded' });
    server.seed(5, { [LABEL.managed]: 'true', [LABEL.scope]: 'someone-else' });
    server.seed(3, { [LABEL.scope]: scope }); // not managed by us
    const m = manager();
    const before = server.requests.length;
    const objs = await registry.get(manifest).list!(await m.contextFor(manifest), { [LABEL.scope]: scope });
    expect(objs).toHaveLength(230);
    expect(new Set(objs.map((o) => o.backend_id)).size).toBe(230);
    for (const o of objs) {
      expect(o.labels[LABEL.scope]).toBe(scope);
      expect(o.sandbox_id).toBe('sbx-seeded');
      expect(o.handle.backend_id).toBe(o.backend_id);
    }
    const pages = server.requests.slice(before).filter((q) => q.path === '/v2/sandboxes');
    expect(pages).toHaveLength(3);
    expect(pages[0]!.query.nextToken).toBeUndefined();
    expect(pages[1]!.query.nextToken).toBeDefined();
    for (const id of objs.map((o) => o.backend_id)) server.sandboxes.delete(id);
  });

  it('lists paused sandboxes too (they still hold a snapshot and a slot)', async () => {
    const [sb] = server.seed(1, { [LABEL.managed]: 'true', [LABEL.scope]: 'test:paused' });
    sb!.state = 'paused';
    const m = manager();
    const objs = await registry.get(manifest).list!(await m.contextFor(manifest), {
      [LABEL.scope]: 'test:paused',
    });
    expect(objs.map((o) => o.backend_id)).toEqual([sb!.sandboxID]);
    server.sandboxes.delete(sb!.sandboxID);
  });
});

describe('ext.e2b error mapping (real SDK, real HTTP)', () => {
  const cases: { name: string; status: number; retryable: boolean; retryAfter?: number }[] = [
    { name: '429 rate limit', status: 429, retryable: true },
    { name: '500 placement failure', status: 500, retryable: true },
    { name: '502 bad gateway', status: 502, retryable: true },
    { name: '503 no capacity', status: 503, retryable: true },
    { name: '400 bad request', status: 400, retryable: false },
    { name: '403 forbidden', status: 403, retryable: false },
    { name: '409 conflict', status: 409, retryable: false },
  ];
  for (const c of cases) {
    it(`${c.name} on create → retryable=${c.retryable}, nothing left behind`, async () => {
      const undo = server.inject({ op: 'create', status: c.status });
      const m = manager();
      const err = await createError(m);
      undo();
      expect(err).toBeInstanceOf(BackendError);
      expect(err.retryable).toBe(c.retryable);
      expect((err as BackendError).status).toBe(c.status);
      const failed = (await m.list({ state: ['failed'] })).at(-1)!;
      expect(failed.error?.code).toBe('backend');
      expect(failed.cleanup_pending).toBe(false);
    });
  }

  it('a 429 with Retry-After is retried by the SDK and then succeeds', async () => {
    server.inject({ op: 'create', status: 429, retryAfter: 0, times: 1 });
    const m = manager();
    const r = await m.create({ profileId: 'profile.e2b-burst' });
    expect(r.state).toBe('ready');
    await m.destroy(r.id);
  });

  it('an unknown template is not retryable and says which setting to fix', async () => {
    const cat = loadCatalog();
    cat.profiles.get('profile.e2b-burst')!.value.config.template = 'no-such-template';
    const m = new SandboxManager({ catalog: cat, registry, store: new FileStateStore(tmp.dir), owner, env });
    const err = await createError(m);
    expect(err).toMatchObject({ code: 'backend', retryable: false, status: 404 });
    expect(err.hint).toContain('config.template');
  });

  it('a wrong API key is not retryable, hints at the credential, and never echoes the key', async () => {
    const m = new SandboxManager({
      catalog,
      registry,
      store: new FileStateStore(tmp.dir),
      owner,
      env: { ...env, E2B_API_KEY: 'e2b_wrong_key_0123456789' },
    });
    const err = await createError(m);
    expect(err).toMatchObject({ code: 'backend', retryable: false, status: 401 });
    expect(err.hint).toContain('E2B_API_KEY');
    expect(JSON.stringify(err.toJSON())).not.toContain('e2b_wrong_key_0123456789');
  });

  it('an envd older than 0.1.0 is refused (the SDK kills the sandbox) and not retried', async () => {
    const current = server.envdVersion;
    server.envdVersion = '0.0.9';
    try {
      const m = manager();
      const err = await createError(m);
      expect(err.retryable).toBe(false);
      expect(err.hint).toContain('template');
    } finally {
      server.envdVersion = current;
    }
    expect([...server.sandboxes.values()].filter((s) => s.envdVersion === '0.0.9')).toEqual([]);
  });

  it('an unreachable API is a retryable network failure', async () => {
    const closed = new FakeE2bServer({ apiKey: server.apiKey });
    await closed.start();
    const url = closed.url;
    await closed.stop();
    const m = new SandboxManager({
      catalog,
      registry,
      store: new FileStateStore(tmp.dir),
      owner,
      env: { ...env, E2B_API_URL: url, E2B_SANDBOX_URL: url },
    });
    const err = await createError(m);
    expect(err).toMatchObject({ code: 'backend', retryable: true });
    expect(err.hint).toContain('E2B_API_URL');
  });

  it('a kill that fails with 5xx leaves the sandbox destroying, retryable, and a retry finishes it', async () => {
    const m = manager();
    const r = await m.create({ profileId: 'profile.e2b-burst' });
    const undo = server.inject({ op: 'kill', status: 503 });
    await expect(m.destroy(r.id)).rejects.toMatchObject({ retryable: true });
    expect((await m.get(r.id)).state).toBe('destroying');
    undo();
    expect((await m.destroy(r.id)).state).toBe('destroyed');
    expect(server.sandboxes.has(String(r.handle.backend_id))).toBe(false);
  });
});

describe('the fake E2B API (v1 paths the SDK no longer uses)', () => {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { 'X-API-Key': server.apiKey, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
  };

  it('creates on POST /sandboxes, pauses (409 when already paused), resumes and connects on v1 and v2', async () => {
    const c = await call('POST', '/sandboxes', { templateID: 'base', timeout: 60, metadata: { a: 'b' } });
    expect(c.status).toBe(201);
    const id = String(c.body!.sandboxID);
    expect((await call('GET', '/sandboxes')).body).toEqual(
      expect.arrayContaining([expect.objectContaining({ sandboxID: id, metadata: { a: 'b' } })]),
    );
    expect((await call('POST', `/sandboxes/${id}/pause`)).status).toBe(204);
    expect((await call('POST', `/sandboxes/${id}/pause`)).status).toBe(409);
    expect((await call('POST', `/sandboxes/${id}/resume`, { timeout: 60 })).status).toBe(201);
    expect((await call('POST', `/sandboxes/${id}/connect`, { timeout: 60 })).status).toBe(200);
    expect((await call('POST', `/sandboxes/${id}/pause`)).status).toBe(204);
    expect((await call('POST', `/v2/sandboxes/${id}/connect`, { timeout: 60 })).status).toBe(201);
    expect((await call('DELETE', `/sandboxes/${id}`)).status).toBe(204);
    const gone = await call('DELETE', `/sandboxes/${id}`);
    expect(gone).toMatchObject({ status: 404, body: { code: 404 } });
  });

  it('rejects a wrong key with 401 and an E2B-style error body', async () => {
    const res = await fetch(`${server.url}/v2/sandboxes`, { headers: { 'X-API-Key': 'nope' } });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 401, message: expect.any(String) });
  });
});

describe('mapE2bError', () => {
  it('maps SDK error classes by name, envd statuses from the message, and cancellation', async () => {
    const sdk = await import('e2b');
    const map = (e: unknown, signal?: AbortSignal) =>
      mapE2bError('ext.e2b', 'create', e, signal ? { signal } : {});
    expect(map(new sdk.TimeoutError('request timed out')).retryable).toBe(true);
    expect(map(new sdk.RateLimitError('slow down')).retryable).toBe(true);
    expect(map(new sdk.AuthenticationError('bad key')).retryable).toBe(false);
    expect(map(new sdk.TemplateError('old envd')).retryable).toBe(false);
    expect(map(new sdk.SandboxError('503: busy')).retryable).toBe(true);
    expect(map(new sdk.SandboxError('400: bad')).retryable).toBe(false);
    const net = new TypeError('fetch failed', {
      cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }),
    });
    expect(map(net).retryable).toBe(true);
    const c = new AbortController();
    c.abort();
    expect(map(new Error('aborted'), c.signal).code).toBe('cancelled');
  });

  it('redacts the API key from provider messages', () => {
    const e = mapE2bError('ext.e2b', 'create', new Error('key e2b_secret_value_1 is invalid'), {
      secrets: ['e2b_secret_value_1'],
    });
    expect(e.message).not.toContain('e2b_secret_value_1');
    expect(e.message).toContain('***');
  });
});
