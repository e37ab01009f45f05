import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/loader.ts';
import { SandboxerError } from '../../src/core/errors.ts';
import { createCredentialResolver } from '../../src/credentials/index.ts';
import { ExtensionRegistry } from '../../src/extensions/registry.ts';
import { saasStub } from '../../src/extensions/saas-stub/index.ts';
import { SandboxManager } from '../../src/manager/manager.ts';
import { LatencyRecorder } from '../../src/routing/latency.ts';
import { StrategyRouter } from '../../src/routing/router.ts';
import { MemoryStateStore } from '../../src/state/memory/memory-store.ts';
import { tempDir } from '../helpers/env.ts';
import { startKvServer, type KvServer } from '../credentials/kv-server.ts';
import { FakeClock, fakeCloud, lifecycleOnly, type FakeCloud } from './fakes.ts';

const tmp = tempDir('sbx-fallback-');
afterAll(() => tmp.cleanup());
const catalog = lifecycleOnly(loadCatalog(), ['ext.e2b', 'ext.modal']);

let e2b: FakeCloud;
let modal: FakeCloud;
let env: NodeJS.ProcessEnv;
let store: MemoryStateStore;
let clock: FakeClock;

function manager() {
  const registry = new ExtensionRegistry()
    .register('ext.e2b', e2b.factory)
    .register('ext.modal', modal.factory)
    .register('ext.saas-stub', saasStub);
  return new SandboxManager({
    catalog,
    registry,
    store,
    owner: { scope: 'test:routing' },
    credentials: createCredentialResolver(env),
    hooks: [new LatencyRecorder(store, clock)],
    clock,
    env,
  });
}

beforeEach(() => {
  clock = new FakeClock();
  e2b = fakeCloud(clock);
  modal = fakeCloud(clock);
  store = new MemoryStateStore();
  env = {
    SANDBOXER_STATE_DIR: tmp.dir,
    E2B_API_KEY: 'e2b-secret-value',
    MODAL_TOKEN_ID: 'modal-id',
    MODAL_TOKEN_SECRET: 'modal-secret-value',
  };
});

describe('profile.burst-sandbox routing with fallback', () => {
  it('routes to e2b when its credentials resolve and records the route', async () => {
    const r = await manager().create({ profileId: 'profile.burst-sandbox' });
    expect(r.state).toBe('ready');
    expect(r.extension_id).toBe('ext.e2b');
    expect(e2b.seenSecrets).toEqual({ api_key: 'e2b-secret-value' });
    expect(r.route).toMatchObject({ strategy: 'explicit', chosen: 'ext.e2b' });
    expect(r.route!.candidates.map((c) => [c.extension_id, c.outcome ?? 'not_tried'])).toEqual([
      ['ext.e2b', 'chosen'],
      ['ext.modal', 'not_tried'],
      ['ext.saas-stub', 'not_tried'],
    ]);
    expect(JSON.stringify(await store.getSandbox(r.id))).not.toContain('e2b-secret-value');
  });

  it('skips e2b without credentials, tears down modal after a retryable failure, lands on saas-stub', async () => {
    delete env.E2B_API_KEY;
    modal.mode = 'retryable';
    const r = await manager().create({ profileId: 'profile.burst-sandbox' });
    expect(r.state).toBe('ready');
    expect(r.extension_id).toBe('ext.saas-stub');
    expect(e2b.calls).toEqual([]);
    expect(modal.calls).toEqual(['provision', 'teardown']);
    expect(modal.objects.size).toBe(0);
    const byId = Object.fromEntries(r.route!.candidates.map((c) => [c.extension_id, c]));
    expect(byId['ext.e2b']).toMatchObject({ outcome: 'skipped', credentials: 'missing' });
    expect(byId['ext.e2b']!.reason).toContain('env:E2B_API_KEY');
    expect(byId['ext.modal']).toMatchObject({
      outcome: 'failed',
      error: expect.stringContaining('HTTP 503'),
    });
    expect(byId['ext.saas-stub']).toMatchObject({ outcome: 'chosen' });
    expect(r.route!.chosen).toBe('ext.saas-stub');
    expect(r.history.map((h) => h.to)).toEqual(['requested', 'provisioning', 'ready']);
    await manager().destroy(r.id);
  });

  it('when every candidate fails: one error naming every candidate and why, nothing left behind', async () => {
    delete env.MODAL_TOKEN_SECRET;
    e2b.mode = 'retryable';
    env.SANDBOXER_STUB_FAULT = 'provision:retryable';
    const err = (await manager()
      .create({ profileId: 'profile.burst-sandbox' })
      .catch((e: unknown) => e)) as SandboxerError;
    expect(err).toBeInstanceOf(SandboxerError);
    expect(err.code).toBe('routing');
    expect(err.message).toMatch(/^every candidate failed for profile\.burst-sandbox: /);
    expect(err.message).toContain('ext.e2b failed (ext.e2b: capacity exhausted (HTTP 503))');
    expect(err.message).toContain(
      'ext.modal skipped (credential token_secret (env:MODAL_TOKEN_SECRET) unavailable',
    );
    expect(err.message).toContain(
      'ext.saas-stub failed (ext.saas-stub: injected retryable fault in provision)',
    );
    expect(err.hint).toContain('sandboxer route explain --profile profile.burst-sandbox');
    expect(err.message).not.toContain('e2b-secret-value');
    expect(e2b.objects.size).toBe(0);
    const [record] = await store.listSandboxes();
    expect(record!.state).toBe('failed');
    expect(record!.cleanup_pending).toBe(false);
  });

  it('a non-retryable failure stops the route: later candidates are not tried', async () => {
    e2b.mode = 'fatal';
    const err = (await manager()
      .create({ profileId: 'profile.burst-sandbox' })
      .catch((e: unknown) => e)) as SandboxerError;
    expect(err.code).toBe('backend');
    expect(err.message).toContain('template not found');
    expect(modal.calls).toEqual([]);
    expect(e2b.objects.size).toBe(0);
    const [record] = await store.listSandboxes();
    expect(record!.route!.candidates.map((c) => c.outcome)).toEqual(['failed', 'not_tried', 'not_tried']);
  });

  it('cancellation is never retried on another candidate', async () => {
    e2b.mode = 'hang';
    const ac = new AbortController();
    const pending = manager().create({ profileId: 'profile.burst-sandbox', signal: ac.signal });
    while (!e2b.calls.includes('provision')) await new Promise((r) => setImmediate(r));
    ac.abort();
    const err = (await pending.catch((e: unknown) => e)) as SandboxerError;
    expect(err.code).toBe('cancelled');
    expect(modal.calls).toEqual([]);
    expect(e2b.calls).toEqual(['provision', 'teardown']);
    expect(e2b.objects.size).toBe(0);
  });

  it('lowest-latency learns time-to-ready from history recorded by the LatencyRecorder hook', async () => {
    e2b.readySeconds = 40;
    const m = manager();
    for (let i = 0; i < 3; i++) await m.destroy((await m.create({ profileId: 'profile.burst-sandbox' })).id);
    const router = new StrategyRouter({ catalog, registry: m.registry, credentials: m.credentials, store });
    const profile = catalog.profiles.get('profile.burst-sandbox')!.value;
    const x = await router.explain({ profile, ttl_s: 3600, env, strategy: 'lowest-latency' });
    expect(
      x.candidates.map((c) => [c.extension_id, c.latency_s, c.latency_source, c.latency_samples]),
    ).toEqual([
      ['ext.saas-stub', 1, 'default', 0],
      ['ext.modal', 8, 'default', 0],
      ['ext.e2b', 40, 'history', 3],
    ]);
    // create with the override lands on the fastest candidate and records the strategy.
    const r = await m.create({ profileId: 'profile.burst-sandbox', route: 'lowest-latency' });
    expect(r.extension_id).toBe('ext.saas-stub');
    expect(r.route!.strategy).toBe('lowest-latency');
    await m.destroy(r.id);
  });
});

describe('credentials resolved once per create', () => {
  let kv: KvServer | undefined;
  afterEach(async () => {
    await kv?.close();
    kv = undefined;
  });

  it('a Vault secret checked while routing is not read again for the attempt', async () => {
    kv = await startKvServer({ secrets: { 'secret/ci': { e2b: 'e2b-from-vault' } }, token: 'vault-token' });
    const e2bEntry = catalog.extensions.get('ext.e2b')!;
    const viaVault = {
      ...catalog,
      extensions: new Map(catalog.extensions).set('ext.e2b', {
        ...e2bEntry,
        value: {
          ...e2bEntry.value,
          credentials: e2bEntry.value.credentials.map((c) => ({ ...c, secret_ref: 'vault:secret/ci#e2b' })),
        },
      }),
    };
    env = { ...env, VAULT_ADDR: kv.url, VAULT_TOKEN: 'vault-token' };
    const registry = new ExtensionRegistry()
      .register('ext.e2b', e2b.factory)
      .register('ext.saas-stub', saasStub);
    const m = new SandboxManager({
      catalog: viaVault,
      registry,
      store,
      owner: { scope: 'test:routing' },
      credentials: createCredentialResolver(env),
      clock,
      env,
    });
    const r = await m.create({ profileId: 'profile.burst-sandbox' });
    expect(r.extension_id).toBe('ext.e2b');
    expect(e2b.seenSecrets).toEqual({ api_key: 'e2b-from-vault' });
    expect(kv.seen.filter((s) => s.url === '/v1/secret/data/ci')).toHaveLength(1);
    // The next create is another operation: it reads the secret afresh (a rotated value is picked up).
    await m.create({ profileId: 'profile.burst-sandbox' });
    expect(kv.seen.filter((s) => s.url === '/v1/secret/data/ci')).toHaveLength(2);
  });
});
