import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/loader.ts';
import { BackendError, SandboxerError } from '../../src/core/errors.ts';
import { LABEL } from '../../src/core/labels.ts';
import type { Owner } from '../../src/core/record.ts';
import { mapModalError } from '../../src/extensions/modal/errors.ts';
import { MODAL_SNAPSHOT_TTL_S, modalExtension, modalResources } from '../../src/extensions/modal/index.ts';
import { defaultRegistry } from '../../src/extensions/registry.ts';
import { SandboxManager } from '../../src/manager/manager.ts';
import { FileStateStore } from '../../src/state/file/file-store.ts';
import { reapStale } from '../../src/reaper/reap.ts';
import {
  FakeGrpcError,
  FakeModal,
  InvalidError,
  NotFoundError,
  ResourceExhaustedError,
} from '../fakes/modal-fake.ts';
import { tempDir } from '../helpers/env.ts';

/** ext.modal against the in-memory Modal: create parameters, tags, TTL, teardown, errors, client hygiene. */
const owner: Owner = { scope: 'github:acme/app', repository: 'acme/app', run_id: '77', run_attempt: '1' };

function setup() {
  const tmp = tempDir('sbx-modal-');
  const fake = new FakeModal();
  const env: NodeJS.ProcessEnv = { SANDBOXER_STATE_DIR: tmp.dir, ...fake.env() };
  const catalog = loadCatalog();
  const registry = defaultRegistry().register('ext.modal', modalExtension({ api: fake.factory }));
  const manager = (e: NodeJS.ProcessEnv = env) =>
    new SandboxManager({ catalog, registry, store: new FileStateStore(tmp.dir), owner, env: e });
  cleanups.push(tmp.cleanup, () => fake.dispose());
  return { tmp, fake, env, catalog, registry, manager, manifest: catalog.extensions.get('ext.modal')!.value };
}
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

describe('ext.modal', () => {
  it('creates in the app from the image with resources in Modal terms, the TTL as timeout and labels as tags', async () => {
    const { fake, manager } = setup();
    const m = manager();
    const r = await m.create({ profileId: 'profile.modal-gpu', ttl: '30m' });
    const sb = fake.sandboxes.get(String(r.handle.backend_id))!;
    expect(sb.params).toMatchObject({ cpu: 1, memoryMiB: 8192, gpu: 'T4', timeoutMs: expect.any(Number) });
    // Modal's timeout is what was left of the 30m TTL at create, in whole seconds.
    expect(sb.params.timeoutMs! % 1000).toBe(0);
    expect(sb.params.timeoutMs!).toBeLessThanOrEqual(30 * 60 * 1000);
    expect(sb.params.timeoutMs!).toBeGreaterThan(28 * 60 * 1000);
    expect(sb.tags).toMatchObject({
      [LABEL.managed]: 'true',
      [LABEL.sandboxId]: r.id,
      [LABEL.profile]: 'profile.modal-gpu',
      [LABEL.repository]: 'acme/app',
      [LABEL.runId]: '77',
      [LABEL.runAttempt]: '1',
      [LABEL.expiresAt]: r.expires_at,
    });
    expect(fake.images.get(sb.imageId)?.tag).toBe('python:3.12-slim');
    expect([...fake.apps.keys()]).toEqual(['sandboxer']);
    expect(r.handle).toMatchObject({ app: 'sandboxer', image: 'python:3.12-slim' });
    const d = await m.destroy(r.id);
    expect(fake.sandboxes.has(sb.sandboxId)).toBe(false);
    expect(d.meter).toMatchObject({ pricing: { per_gpu_second_usd: '0.000164', gpu_count: 1 } });
    expect(fake.openClients).toBe(0); // every client was closed
  });

  it('maps vCPU to physical cores and GPU counts to Modal GPU strings', () => {
    expect(modalResources({ cpu: 4, memory_mib: 1024, gpu_count: 0 })).toEqual({ cpu: 2, memoryMiB: 1024 });
    expect(modalResources({ cpu: 1, memory_mib: 512, gpu: 'A100', gpu_count: 2 })).toEqual({
      cpu: 0.5,
      memoryMiB: 512,
      gpu: 'A100:2',
    });
  });

  it('says clearly that extending the TTL is not supported by this backend', async () => {
    const { fake, manager, registry, manifest } = setup();
    const m = manager();
    const r = await m.create({ profileId: 'profile.modal-gpu', ttl: '10m' });
    const timeoutMs = fake.sandboxes.get(String(r.handle.backend_id))!.params.timeoutMs;
    // Through the manager: refused (Modal enforces the lifetime fixed at create, so a recorded-only extension
    // would be wrong), nothing is pushed to Modal and the record keeps its expiry.
    const refused = await m.extendTtl(r.id, '10m').catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'unsupported', exitCode: 2 });
    expect((refused as SandboxerError).message).toContain('not supported by this backend');
    expect((await m.get(r.id)).expires_at).toBe(r.expires_at);
    expect(fake.sandboxes.get(String(r.handle.backend_id))!.params.timeoutMs).toBe(timeoutMs);
    // The manifest says what the adapter does: no extendTtl method, extend_ttl false, host_expiry true.
    expect(registry.get(manifest).extendTtl).toBeUndefined();
    expect(manifest.capabilities).toMatchObject({ extend_ttl: false, host_expiry: true });
    await m.destroy(r.id);
  });

  it('tears down a sandbox Modal already terminated as success', async () => {
    const { fake, manager } = setup();
    const m = manager();
    const r = await m.create({ profileId: 'profile.modal-gpu' });
    fake.sandboxes.delete(String(r.handle.backend_id));
    expect((await m.destroy(r.id)).state).toBe('destroyed');
  });

  it('fails ready when the sandbox exits before it is ready (not retryable), and cleans up', async () => {
    const { fake, manager } = setup();
    fake.inject('poll', () => new ResourceExhaustedError('worker preempted'), 1);
    const m = manager();
    await expect(m.create({ profileId: 'profile.modal-gpu' })).rejects.toMatchObject({ retryable: true });
    expect(fake.sandboxes.size).toBe(0);
    // A sandbox whose command exits at once: poll() reports an exit code instead of null.
    fake.exitOnStart = 1;
    const err = (await m
      .create({ profileId: 'profile.modal-gpu' })
      .catch((e: unknown) => e)) as SandboxerError;
    expect(err).toMatchObject({ code: 'backend', retryable: false });
    expect(err.message).toContain('exited (code 1)');
    expect(fake.sandboxes.size).toBe(0);
  });

  it('snapshots with snapshotFilesystem and restores from that image; deleting the snapshot is idempotent', async () => {
    const { fake, manager, registry, manifest } = setup();
    const m = manager();
    const r = await m.create({ profileId: 'profile.modal-gpu' });
    const snap = await m.snapshot(r.id);
    const imageId = String(snap.handle.snapshot_backend_id);
    expect(fake.images.get(imageId)?.from).toBe(r.handle.backend_id);
    await m.destroy(r.id);
    const restored = await m.restore(snap.id);
    expect(fake.sandboxes.get(String(restored.handle.backend_id))!.imageId).toBe(imageId);
    await m.destroy(restored.id);
    const ext = registry.get(manifest);
    const ctx = await m.contextFor(manifest);
    await ext.deleteSnapshot!(ctx, snap);
    expect(fake.images.has(imageId)).toBe(false);
    await ext.deleteSnapshot!(ctx, snap);
  });

  it('lists every running sandbox carrying the filter tags, and only managed ones', async () => {
    const { manager, registry, manifest } = setup();
    const m = manager();
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await m.create({ profileId: 'profile.modal-gpu' }));
    const objs = await registry.get(manifest).list!(await m.contextFor(manifest), {
      [LABEL.scope]: owner.scope,
    });
    expect(objs.map((o) => o.sandbox_id).sort()).toEqual(made.map((r) => r.id).sort());
    expect(
      await registry.get(manifest).list!(await m.contextFor(manifest), { [LABEL.scope]: 'other' }),
    ).toEqual([]);
    for (const r of made) await m.destroy(r.id);
  });

  it('a bad token is not retryable, hints at the credentials, and never echoes them', async () => {
    const { env, manager } = setup();
    const m = manager({ ...env, MODAL_TOKEN_SECRET: 'as-wrong-secret-value' });
    const err = (await m
      .create({ profileId: 'profile.modal-gpu' })
      .catch((e: unknown) => e)) as SandboxerError;
    expect(err).toBeInstanceOf(BackendError);
    expect(err.retryable).toBe(false);
    expect(err.hint).toContain('MODAL_TOKEN_ID');
    expect(JSON.stringify(err.toJSON())).not.toContain('as-wrong-secret-value');
    // Modal refused the create: nothing exists, so the record ends failed with nothing to clean (#14).
    const [rec] = await m.list({ state: ['failed'] });
    expect(rec).toMatchObject({ state: 'failed', cleanup_pending: false });
    await expect(m.destroy(rec!.id)).resolves.toMatchObject({ state: 'failed' });
  });

  it('a bad image is not retryable; an unavailable control plane is', async () => {
    const { fake, catalog, registry, tmp, env } = setup();
    catalog.profiles.get('profile.modal-gpu')!.value.config.image = 'does-not-exist:latest';
    const m = new SandboxManager({ catalog, registry, store: new FileStateStore(tmp.dir), owner, env });
    await expect(m.create({ profileId: 'profile.modal-gpu' })).rejects.toMatchObject({ retryable: false });
    catalog.profiles.get('profile.modal-gpu')!.value.config.image = 'python:3.12-slim';
    fake.inject('app', () => new FakeGrpcError(14, 'upstream connect error'), 1);
    await expect(m.create({ profileId: 'profile.modal-gpu' })).rejects.toMatchObject({ retryable: true });
    expect(fake.sandboxes.size).toBe(0);
  });
});

describe('ext.modal: manifest, reaping and snapshot lifetime (#14)', () => {
  it('declares exactly the capabilities its adapter implements', () => {
    const { registry, manifest } = setup();
    const ext = registry.get(manifest); // checkCapabilities: nothing declared is missing
    const implemented = {
      snapshot: Boolean(ext.snapshot && ext.deleteSnapshot),
      restore: Boolean(ext.restore),
      extend_ttl: Boolean(ext.extendTtl),
      list: Boolean(ext.list),
      endpoints: Boolean(ext.endpoints),
      exec: Boolean(ext.exec),
      logs: Boolean(ext.logs),
      files: Boolean(ext.putFiles && ext.getFiles),
    };
    const { host_expiry, ...declared } = manifest.capabilities;
    expect(declared).toEqual(implemented);
    expect(host_expiry).toBe(true); // Modal ends the sandbox at the timeout fixed at create
  });

  it('tags the creation time at create, and list() reports it (Modal lists none)', async () => {
    const { fake, manager, registry, manifest } = setup();
    const m = manager();
    const before = Date.now();
    const r = await m.create({ profileId: 'profile.modal-gpu' });
    const tag = fake.sandboxes.get(String(r.handle.backend_id))!.tags[LABEL.createdAt]!;
    expect(Date.parse(tag)).toBeGreaterThanOrEqual(before - 1000);
    const [o] = await registry.get(manifest).list!(await m.contextFor(manifest), {});
    expect(o).toMatchObject({ backend_id: r.handle.backend_id, sandbox_id: r.id, created_at: tag });
    await m.destroy(r.id);
  });

  it('reaps a leaked Modal sandbox by its created-at tag; without one, by its record or a lapsed expiry', async () => {
    const { fake, catalog, registry, tmp, env } = setup();
    const at = (dir: string) =>
      new SandboxManager({ catalog, registry, store: new FileStateStore(join(tmp.dir, dir)), owner, env });
    // Made by a runner that died with its state (another store): no record of these here.
    const gone = at('gone');
    const tagged = await gone.create({ profileId: 'profile.modal-gpu', ttl: '2h' });
    const lapsed = await gone.create({ profileId: 'profile.modal-gpu', ttl: '10m' });
    const unknown = await gone.create({ profileId: 'profile.modal-gpu', ttl: '2h' });
    // Here: a record that no longer owns its sandbox (destroyed, yet the sandbox lives on).
    const m = at('here');
    const legacy = await m.create({ profileId: 'profile.modal-gpu', ttl: '2h' });
    await m.store.updateSandbox(legacy.id, (r) => ({
      ...r,
      state: 'destroyed',
      history: [...r.history, { from: r.state, to: 'destroyed', at: new Date().toISOString() }],
    }));
    // Sandboxes made before the created-at tag existed.
    for (const r of [legacy, lapsed, unknown])
      delete fake.sandboxes.get(String(r.handle.backend_id))!.tags[LABEL.createdAt];
    const later = new Date(Date.now() + 20 * 60 * 1000); // past the 600 s minimum age and lapsed's expiry
    const report = await reapStale(m, { apply: true, now: later, replayOutbox: false });
    const outcome = (r: { handle: Record<string, unknown> }) =>
      report.actions.find((a) => a.backend_id === r.handle.backend_id)?.outcome;
    expect(outcome(tagged)).toBe('done');
    expect(outcome(legacy)).toBe('done');
    expect(outcome(lapsed)).toBe('done');
    expect(outcome(unknown)).toBe('skipped'); // no creation time, no record, expiry ahead: too young to tell
    expect([...fake.sandboxes.keys()]).toEqual([unknown.handle.backend_id]);
  });

  it('gives a snapshot an explicit lifetime, records it as expires_at, and stops offering it after that', async () => {
    const { fake, manager, catalog, registry, tmp, env } = setup();
    const m = manager();
    const r = await m.create({ profileId: 'profile.modal-gpu' });
    const before = Date.now();
    const snap = await m.snapshot(r.id);
    const image = fake.images.get(String(snap.handle.snapshot_backend_id))!;
    expect(image.ttl_s).toBe(MODAL_SNAPSHOT_TTL_S); // passed explicitly, equal to Modal's default of 30 days
    const expires = Date.parse(snap.expires_at!);
    expect(expires).toBeGreaterThanOrEqual(before + MODAL_SNAPSHOT_TTL_S * 1000);
    expect(expires).toBeLessThanOrEqual(Date.now() + MODAL_SNAPSHOT_TTL_S * 1000);
    expect((await m.getSnapshot(snap.id)).expires_at).toBe(snap.expires_at);
    // config.snapshot_ttl_s sets both Modal's lifetime and the index's.
    catalog.profiles.get('profile.modal-gpu')!.value.config.snapshot_ttl_s = 3600;
    const short = await manager().snapshot((await manager().create({ profileId: 'profile.modal-gpu' })).id);
    expect(fake.images.get(String(short.handle.snapshot_backend_id))!.ttl_s).toBe(3600);
    expect(Date.parse(short.expires_at!) - Date.parse(short.created_at)).toBeLessThanOrEqual(3600 * 1000);
    // Past its expiry Modal has deleted the image: the index no longer lists it and restore says why.
    const past = new SandboxManager({
      catalog,
      registry,
      store: new FileStateStore(tmp.dir),
      owner,
      env,
      clock: { now: () => new Date(Date.now() + 2 * 3600 * 1000) },
    });
    expect((await past.listSnapshots()).map((s) => s.id)).toEqual([snap.id]);
    await expect(past.restore(short.id)).rejects.toMatchObject({
      code: 'illegal_transition',
      message: expect.stringContaining('expired'),
    });
    catalog.profiles.get('profile.modal-gpu')!.value.config.snapshot_ttl_s = 0;
    const bad = await m.create({ profileId: 'profile.modal-gpu' });
    await expect(manager().snapshot(bad.id)).rejects.toMatchObject({ code: 'validation' });
  });
});

describe('mapModalError', () => {
  const map = (e: unknown) => mapModalError('ext.modal', 'create', e);
  it.each([
    ['ResourceExhaustedError', new ResourceExhaustedError('no capacity'), true],
    ['InvalidError', new InvalidError('bad image'), false],
    ['NotFoundError', new NotFoundError('gone'), false],
    ['gRPC UNAVAILABLE', new FakeGrpcError(14, 'unavailable'), true],
    ['gRPC DEADLINE_EXCEEDED', new FakeGrpcError(4, 'deadline'), true],
    ['gRPC INTERNAL', new FakeGrpcError(13, 'internal'), true],
    ['gRPC UNAUTHENTICATED', new FakeGrpcError(16, 'bad token'), false],
    ['gRPC PERMISSION_DENIED', new FakeGrpcError(7, 'denied'), false],
    ['gRPC INVALID_ARGUMENT', new FakeGrpcError(3, 'bad arg'), false],
    ['network ECONNRESET', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), true],
  ])('%s → retryable=%s', (_name, err, retryable) => {
    const e = map(err);
    expect(e).toBeInstanceOf(BackendError);
    expect(e.retryable).toBe(retryable);
  });

  it('removes secret values from messages', () => {
    const e = mapModalError('ext.modal', 'create', new Error('token as-secret-123 rejected'), {
      secrets: ['as-secret-123'],
    });
    expect(e.message).not.toContain('as-secret-123');
  });

  it('reports cancellation as cancelled, not as a backend failure', () => {
    const c = new AbortController();
    c.abort();
    expect(mapModalError('ext.modal', 'create', new Error('x'), { signal: c.signal }).code).toBe('cancelled');
  });
});
