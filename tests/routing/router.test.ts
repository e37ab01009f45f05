import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { catalogRoots, getProfile, loadCatalog } from '../../src/catalog/loader.ts';
import { createCredentialResolver } from '../../src/credentials/index.ts';
import { ExtensionRegistry } from '../../src/extensions/registry.ts';
import { saasStub } from '../../src/extensions/saas-stub/index.ts';
import { StrategyRouter } from '../../src/routing/router.ts';
import { RouteExplanation } from '../../src/routing/types.ts';
import { MemoryStateStore } from '../../src/state/memory/memory-store.ts';
import { tempDir } from '../helpers/env.ts';
import { fakeCloud, lifecycleOnly } from './fakes.ts';

const tmp = tempDir('sbx-route-');
afterAll(() => tmp.cleanup());

// A second catalog root with a profile mixing a self-hosted and SaaS backends, and one with no implementation.
const root = join(tmp.dir, 'catalog');
mkdirSync(join(root, 'profiles'), { recursive: true });
mkdirSync(join(root, 'extensions'), { recursive: true });
writeFileSync(
  join(root, 'profiles', 'profile.mixed.yaml'),
  [
    'id: profile.mixed',
    'version: 1.0.0',
    'route:',
    '  strategy: prefer-self-hosted',
    '  candidates: [ext.saas-stub, ext.e2b, ext.compose-ssh, ext.vm-packer]',
    'placement: { host: build.example, key_ref: env:MIXED_SSH_KEY }',
  ].join('\n'),
);
const catalog = lifecycleOnly(loadCatalog([...catalogRoots({}), root]), [
  'ext.e2b',
  'ext.modal',
  'ext.compose-ssh',
]);

const registry = new ExtensionRegistry()
  .register('ext.saas-stub', saasStub)
  .register('ext.e2b', fakeCloud().factory)
  .register('ext.modal', fakeCloud().factory)
  .register('ext.compose-ssh', fakeCloud().factory);
// ext.vm-packer deliberately has no implementation in this registry.

const ALL_CREDS = {
  E2B_API_KEY: 'e2b-key',
  MODAL_TOKEN_ID: 'id',
  MODAL_TOKEN_SECRET: 'sec',
  MIXED_SSH_KEY: 'k',
};

function router(store = new MemoryStateStore()) {
  return new StrategyRouter({ catalog, registry, credentials: createCredentialResolver({}), store });
}

const burst = getProfile(catalog, 'profile.burst-sandbox');
const mixed = getProfile(catalog, 'profile.mixed');

describe('StrategyRouter', () => {
  it('explicit: the declared order e2b → modal → saas-stub when every credential resolves', async () => {
    const x = await router().explain({ profile: burst, ttl_s: 3600, env: ALL_CREDS });
    expect(RouteExplanation.parse(x)).toEqual(x);
    expect(x.strategy).toBe('explicit');
    expect(x.order).toEqual(['ext.e2b', 'ext.modal', 'ext.saas-stub']);
    expect(x.picked).toBe('ext.e2b');
    expect(x.candidates.map((c) => [c.extension_id, c.decision, c.rank])).toEqual([
      ['ext.e2b', 'picked', 1],
      ['ext.modal', 'fallback', 2],
      ['ext.saas-stub', 'fallback', 3],
    ]);
    expect(x.candidates[0]!.reason).toBe("picked: first in the profile's declared order");
    expect(x.candidates.map((c) => c.credentials)).toEqual(['ok', 'ok', 'not_required']);
  });

  it('skips a candidate whose credentials do not resolve, naming the ref and never the value', async () => {
    const x = await router().explain({
      profile: burst,
      ttl_s: 3600,
      env: { MODAL_TOKEN_ID: 'modal-id-value', MODAL_TOKEN_SECRET: '' },
    });
    expect(x.order).toEqual(['ext.saas-stub']);
    const e2b = x.candidates.find((c) => c.extension_id === 'ext.e2b')!;
    expect(e2b).toMatchObject({
      eligible: false,
      decision: 'skipped',
      credentials: 'missing',
      outcome: 'skipped',
    });
    expect(e2b.reason).toBe(
      'skipped: credential api_key (env:E2B_API_KEY) unavailable: environment variable E2B_API_KEY is not set',
    );
    const modal = x.candidates.find((c) => c.extension_id === 'ext.modal')!;
    expect(modal.reason).toContain('token_secret (env:MODAL_TOKEN_SECRET)');
    expect(modal.credential_checks.map((c) => c.status)).toEqual(['ok', 'missing']);
    expect(JSON.stringify(x)).not.toContain('modal-id-value');
  });

  it('lowest-cost: ranks by each extension estimate for the profile resources and TTL', async () => {
    const x = await router().explain({
      profile: burst,
      ttl_s: 3600,
      env: ALL_CREDS,
      strategy: 'lowest-cost',
    });
    // 2 vCPU, 512 MiB for an hour: modal 0.051156 < e2b 0.108900 < stub (flat 0.00005/s) 0.180000.
    expect(x.candidates.map((c) => [c.extension_id, c.estimate_usd])).toEqual([
      ['ext.modal', '0.051156'],
      ['ext.e2b', '0.108900'],
      ['ext.saas-stub', '0.180000'],
    ]);
    expect(x.candidates[0]!.reason).toBe('picked: first by estimated cost ($0.051156)');
    // A one-minute TTL keeps the order: the stub bills at least 60 s at a higher flat rate.
    const short = await router().explain({
      profile: burst,
      ttl_s: 60,
      env: ALL_CREDS,
      strategy: 'lowest-cost',
    });
    expect(short.order).toEqual(['ext.modal', 'ext.e2b', 'ext.saas-stub']);
  });

  it('lowest-latency: defaults from the extension YAML until there is history', async () => {
    const x = await router().explain({
      profile: burst,
      ttl_s: 3600,
      env: ALL_CREDS,
      strategy: 'lowest-latency',
    });
    expect(x.candidates.map((c) => [c.extension_id, c.latency_s, c.latency_source])).toEqual([
      ['ext.saas-stub', 1, 'default'],
      ['ext.e2b', 3, 'default'],
      ['ext.modal', 8, 'default'],
    ]);
  });

  it('prefer-self-hosted: self-hosted first, then declared order; unimplemented and key-less ones skipped', async () => {
    const x = await router().explain({ profile: mixed, ttl_s: 600, env: ALL_CREDS });
    expect(x.order).toEqual(['ext.compose-ssh', 'ext.saas-stub', 'ext.e2b']);
    expect(x.candidates.at(-1)).toMatchObject({
      extension_id: 'ext.vm-packer',
      implemented: false,
      decision: 'skipped',
      reason: 'skipped: no implementation registered',
    });
    // The profile's SSH key is a credential of every candidate of this profile.
    const noKey = await router().explain({ profile: mixed, ttl_s: 600, env: { E2B_API_KEY: 'k' } });
    expect(noKey.order).toEqual([]);
    expect(noKey.picked).toBeUndefined();
    expect(noKey.candidates.find((c) => c.extension_id === 'ext.saas-stub')!.reason).toContain(
      'credential ssh_key (env:MIXED_SSH_KEY) unavailable',
    );
  });

  it('plan(): records the candidates in try order with reasons, estimates, latency and credential status', async () => {
    const plan = await router().plan({ profile: burst, ttl_s: 3600, env: { E2B_API_KEY: 'k' } });
    expect(plan.order).toEqual(['ext.e2b', 'ext.saas-stub']);
    expect(plan.decision.strategy).toBe('explicit');
    expect(plan.decision.candidates).toEqual([
      {
        extension_id: 'ext.e2b',
        eligible: true,
        reason: "picked: first in the profile's declared order",
        estimate_usd: '0.108900',
        latency_s: 3,
        credentials: 'ok',
      },
      {
        extension_id: 'ext.saas-stub',
        eligible: true,
        reason: "fallback: #2 in the profile's declared order",
        estimate_usd: '0.180000',
        latency_s: 1,
        credentials: 'not_required',
      },
      {
        extension_id: 'ext.modal',
        eligible: false,
        reason: expect.stringMatching(/^skipped: credential token_id \(env:MODAL_TOKEN_ID\) unavailable/),
        estimate_usd: '0.051156',
        latency_s: 8,
        credentials: 'missing',
        outcome: 'skipped',
      },
    ]);
  });
});
