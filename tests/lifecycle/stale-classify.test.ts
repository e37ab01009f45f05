import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/loader.ts';
import { ownershipLabels } from '../../src/core/labels.ts';
import type { SandboxRecord, SandboxState } from '../../src/core/record.ts';
import type { BackendObject } from '../../src/extensions/contract.ts';
import {
  classifyRecord,
  DEFAULT_BOUNDS,
  orphanOldEnough,
  orphansOf,
  type ListedExtension,
} from '../../src/reaper/stale.ts';

const catalog = loadCatalog();
const stub = catalog.extensions.get('ext.saas-stub')!.value;
const NOW = Date.parse('2026-01-01T12:00:00Z');
const ago = (s: number) => new Date(NOW - s * 1000).toISOString();

function rec(id: string, state: SandboxState, extra: Partial<SandboxRecord> = {}): SandboxRecord {
  return {
    id,
    revision: 3,
    profile_id: 'profile.saas-stub',
    profile_version: '1.0.0',
    extension_id: 'ext.saas-stub',
    state,
    placement: {},
    handle: { backend_id: `stub-${id.slice(4)}` },
    inputs: {},
    resources: { cpu: 1, memory_mib: 512, gpu_count: 0 },
    labels: {},
    owner: { scope: 'me' },
    created_at: ago(7200),
    config: {},
    history: [{ from: null, to: state, at: ago(7200) }],
    ...extra,
  };
}

function obj(sandboxId: string | undefined, scope = 'me', createdAgo = 3600): BackendObject {
  const labels = sandboxId
    ? ownershipLabels({ sandboxId, profileId: 'profile.saas-stub', owner: { scope } })
    : { 'io.sandboxer.managed': 'true', 'io.sandboxer.scope': scope };
  return { backend_id: `b-${sandboxId ?? 'anon'}-${scope}`, labels, created_at: ago(createdAgo), handle: {} };
}

describe('classifyRecord', () => {
  it('expired beats stuck; ready is never stuck; terminal is ignored unless cleanup is pending', () => {
    const b = DEFAULT_BOUNDS;
    expect(classifyRecord(rec('sbx-aaaaaaaaaaaa', 'ready', { expires_at: ago(1) }), NOW, b)?.kind).toBe(
      'expired',
    );
    expect(
      classifyRecord(rec('sbx-aaaaaaaaaaaa', 'provisioning', { expires_at: ago(1) }), NOW, b)?.kind,
    ).toBe('expired');
    expect(classifyRecord(rec('sbx-aaaaaaaaaaaa', 'ready'), NOW, { ...b, stuck_after_s: 0 })).toBeUndefined();
    expect(classifyRecord(rec('sbx-aaaaaaaaaaaa', 'destroyed'), NOW, b)).toBeUndefined();
    expect(classifyRecord(rec('sbx-aaaaaaaaaaaa', 'failed'), NOW, b)).toBeUndefined();
    expect(classifyRecord(rec('sbx-aaaaaaaaaaaa', 'failed', { cleanup_pending: true }), NOW, b)?.kind).toBe(
      'cleanup',
    );
  });

  it('a provisioning record is stuck only past its ready timeout plus the margin', () => {
    const r = (s: number, cfg = {}) =>
      rec('sbx-aaaaaaaaaaaa', 'provisioning', {
        config: cfg,
        history: [{ from: 'requested', to: 'provisioning', at: ago(s) }],
      });
    expect(classifyRecord(r(1499), NOW, DEFAULT_BOUNDS)).toBeUndefined(); // 600 + 900
    expect(classifyRecord(r(1500), NOW, DEFAULT_BOUNDS)?.kind).toBe('stuck');
    expect(classifyRecord(r(1500, { ready_timeout_s: 1800 }), NOW, DEFAULT_BOUNDS)).toBeUndefined();
    expect(classifyRecord(r(1, {}), NOW, { ...DEFAULT_BOUNDS, stuck_after_s: 0 })?.kind).toBe('stuck');
  });
});

describe('orphansOf', () => {
  const live = rec('sbx-live00000000', 'ready');
  const done = rec('sbx-done00000000', 'destroyed');
  const pending = rec('sbx-pend00000000', 'failed', { cleanup_pending: true });
  const moved = rec('sbx-move00000000', 'ready', { extension_id: 'ext.e2b' });
  const records = new Map([live, done, pending, moved].map((r) => [r.id, r]));
  const listed = (objects: BackendObject[]): ListedExtension => ({
    manifest: stub,
    ext: {} as ListedExtension['ext'],
    objects: objects.map((o) => ({ ...o, target: 0 })),
    complete: true,
    reached: 1,
  });

  it('names why each object has no live owner, and skips live owners and other scopes', () => {
    const found = orphansOf(
      listed([
        obj(live.id),
        obj(pending.id),
        obj(done.id),
        obj(moved.id),
        obj('sbx-lost00000000'),
        obj(undefined),
        obj('sbx-else00000000', 'someone-else'),
      ]),
      records,
      NOW,
      'me',
    );
    expect(found.map((o) => [o.sandbox_id ?? null, o.reason])).toEqual([
      [done.id, `record ${done.id} is destroyed`],
      [moved.id, `record ${moved.id} lives on ext.e2b (left behind by a fallback)`],
      ['sbx-lost00000000', 'no record of this sandbox'],
      [null, 'carries our labels but no sandbox id'],
    ]);
    expect(orphansOf(listed([obj('sbx-else00000000', 'someone-else')]), records, NOW, '*')).toHaveLength(1);
  });

  it('an object whose record exists but was not loaded (judged live from a listing) is never an orphan', () => {
    const unloaded = new Set(['sbx-lost00000000']);
    expect(orphansOf(listed([obj('sbx-lost00000000')]), records, NOW, 'me', unloaded)).toEqual([]);
    // A record that is loaded decides, whatever the listing said.
    expect(
      orphansOf(listed([obj(done.id)]), records, NOW, 'me', new Set([done.id])).map((o) => o.sandbox_id),
    ).toEqual([done.id]);
  });

  it('the minimum age does not protect an orphan whose run has completed', () => {
    const [young] = orphansOf(listed([obj('sbx-lost00000000', 'me', 30)]), records, NOW, 'me');
    expect(orphanOldEnough({ ...young!, run_completed: true }, 600)).toBe(true);
    expect(orphanOldEnough({ ...young!, age_s: undefined, run_completed: true }, 600)).toBe(true);
  });

  it('the minimum age protects young and undated objects', () => {
    const [young] = orphansOf(listed([obj('sbx-lost00000000', 'me', 30)]), records, NOW, 'me');
    expect(orphanOldEnough(young!, 600)).toBe(false);
    expect(orphanOldEnough(young!, 0)).toBe(true);
    expect(orphanOldEnough({ ...young!, age_s: undefined }, 600)).toBe(false);
    expect(orphanOldEnough({ ...young!, age_s: 600 }, 600)).toBe(true);
  });
});
