import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './harness.ts';
import { openApiValidator } from './schema-check.ts';

const schemas = openApiValidator();

describe('HTTP API lifecycle over real HTTP (stub backend, file store)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => {
    await api.stop();
  });

  it('serves /healthz without auth', async () => {
    const r = await api.call('GET', '/healthz');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'ok', in_flight: 0 });
    expect(schemas.errors('Health', r.body)).toEqual([]);
  });

  it('create answers 202 with the record before provisioning finishes; polling reaches ready', async () => {
    const r = await api.call('POST', '/v1/sandboxes', {
      json: { profile: 'profile.saas-stub', ttl: '30m', labels: { team: 'qa' } },
    });
    expect(r.status).toBe(202);
    expect(['requested', 'provisioning']).toContain(r.body.state);
    expect(r.headers.location).toBe(`/v1/sandboxes/${r.body.id}`);
    expect(r.body.labels.team).toBe('qa');
    expect(r.body.ttl_s).toBe(1800);
    expect(schemas.errors('SandboxRecord', r.body)).toEqual([]);

    const ready = await api.waitFor(r.body.id, ['ready', 'failed']);
    expect(ready.state).toBe('ready');
    expect(ready.history.map((h) => h.to)).toEqual(['requested', 'provisioning', 'ready']);
    expect(await api.backendObjects()).toContainEqual(expect.objectContaining({ sandbox_id: r.body.id }));

    const got = await api.call('GET', `/v1/sandboxes/${r.body.id}`);
    expect(got.status).toBe(200);
    expect(schemas.errors('SandboxRecord', got.body)).toEqual([]);

    const list = await api.call('GET', '/v1/sandboxes?state=ready');
    expect(list.status).toBe(200);
    expect(schemas.errors('SandboxList', list.body)).toEqual([]);
    expect(list.body.sandboxes.map((s: { id: string }) => s.id)).toContain(r.body.id);
  });

  it('extend-ttl, snapshot, snapshots list/get, restore, recreate, destroy', async () => {
    const created = await api.call('POST', '/v1/sandboxes', { json: { ttl: '1h' } });
    expect(created.status).toBe(202);
    const id: string = created.body.id;
    const ready = await api.waitFor(id, ['ready', 'failed']);
    expect(ready.state).toBe('ready');

    const ext = await api.call('POST', `/v1/sandboxes/${id}/extend-ttl`, { json: { by: '30m' } });
    expect(ext.status).toBe(200);
    expect(schemas.errors('ExtendTtlResponse', ext.body)).toEqual([]);
    expect(ext.body.pushed).toBe(true);
    expect(Date.parse(ext.body.record.expires_at)).toBeGreaterThan(Date.parse(ready.expires_at!));

    const snap = await api.call('POST', `/v1/sandboxes/${id}/snapshot`, { json: { name: 'before-tests' } });
    expect(snap.status).toBe(201);
    expect(schemas.errors('SnapshotRecord', snap.body)).toEqual([]);
    expect(snap.body).toMatchObject({ sandbox_id: id, name: 'before-tests', state: 'available' });
    expect(snap.headers.location).toBe(`/v1/snapshots/${snap.body.id}`);

    const snaps = await api.call('GET', '/v1/snapshots');
    expect(snaps.status).toBe(200);
    expect(schemas.errors('SnapshotList', snaps.body)).toEqual([]);
    expect(snaps.body.snapshots.map((s: { id: string }) => s.id)).toContain(snap.body.id);
    const bySource = await api.call('GET', `/v1/snapshots?sandbox=${id}&all=true`);
    expect(bySource.body.snapshots.map((s: { id: string }) => s.id)).toEqual([snap.body.id]);
    const oneSnap = await api.call('GET', `/v1/snapshots/${snap.body.id}`);
    expect(oneSnap.status).toBe(200);
    expect(oneSnap.body.id).toBe(snap.body.id);

    const restored = await api.call('POST', `/v1/snapshots/${snap.body.id}/restore`, {
      json: { ttl: '10m' },
    });
    expect(restored.status).toBe(202);
    expect(restored.body.restored_from).toBe(snap.body.id);
    const restoredReady = await api.waitFor(restored.body.id, ['ready', 'failed']);
    expect(restoredReady.state).toBe('ready');
    expect(restoredReady.ttl_s).toBe(600);

    const re = await api.call('POST', `/v1/sandboxes/${id}/recreate`);
    expect(re.status).toBe(202);
    expect(re.body.recreated_from).toBe(id);
    expect(re.body.id).not.toBe(id);
    expect((await api.call('GET', `/v1/sandboxes/${id}`)).body.state).toBe('destroyed');
    const fresh = await api.waitFor(re.body.id, ['ready', 'failed']);
    expect(fresh.state).toBe('ready');

    for (const sid of [fresh.id, restoredReady.id]) {
      const del = await api.call('DELETE', `/v1/sandboxes/${sid}`);
      expect([200, 202]).toContain(del.status);
      expect(schemas.errors('SandboxRecord', del.body)).toEqual([]);
      const gone = await api.waitFor(sid, ['destroyed', 'failed']);
      expect(gone.state).toBe('destroyed');
      expect(gone.meter?.actual_usd).toMatch(/^\d+(\.\d+)?$/);
      // Idempotent: a second DELETE of a final record answers 200 with the same final record.
      const again = await api.call('DELETE', `/v1/sandboxes/${sid}`);
      expect(again.status).toBe(200);
      expect(again.body.state).toBe('destroyed');
    }
    const ids = (await api.backendObjects()).map((o) => o.sandbox_id);
    expect(ids).not.toContain(fresh.id);
    expect(ids).not.toContain(restoredReady.id);
  });

  it('DELETE answers 202 while the teardown is in progress and the record ends destroyed', async () => {
    const created = await api.call('POST', '/v1/sandboxes', { json: {} });
    await api.waitFor(created.body.id, ['ready']);
    const del = await api.call('DELETE', `/v1/sandboxes/${created.body.id}`);
    expect(del.status).toBe(202);
    expect(del.body.state).toBe('destroying');
    expect((await api.waitFor(created.body.id, ['destroyed', 'failed'])).state).toBe('destroyed');
  });

  it('lists only live records by default, every record with all=true', async () => {
    const live = await api.call('GET', '/v1/sandboxes');
    const all = await api.call('GET', '/v1/sandboxes?all=true');
    expect(
      live.body.sandboxes.every(
        (s: { state: string }) => !['destroyed', 'failed', 'expired'].includes(s.state),
      ),
    ).toBe(true);
    expect(all.body.sandboxes.some((s: { state: string }) => s.state === 'destroyed')).toBe(true);
    const byState = await api.call('GET', '/v1/sandboxes?state=destroyed,ready');
    expect(byState.status).toBe(200);
    expect(new Set(byState.body.sandboxes.map((s: { state: string }) => s.state))).toEqual(
      new Set(['destroyed', 'ready']),
    );
  });

  it('maps manager errors to 4xx bodies: unknown profile, illegal snapshot, unknown ids', async () => {
    const unknown = await api.call('POST', '/v1/sandboxes', { json: { profile: 'profile.does-not-exist' } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');
    expect(schemas.errors('Error', unknown.body)).toEqual([]);

    const destroyed = (await api.call('GET', '/v1/sandboxes?state=destroyed')).body.sandboxes[0];
    const snap = await api.call('POST', `/v1/sandboxes/${destroyed.id}/snapshot`, { json: {} });
    expect(snap.status).toBe(409);
    expect(snap.body.error.code).toBe('illegal_transition');
    const ext = await api.call('POST', `/v1/sandboxes/${destroyed.id}/extend-ttl`, { json: { by: '1h' } });
    expect(ext.status).toBe(409);

    for (const path of ['/v1/sandboxes/sbx-000000000000', '/v1/snapshots/snap-000000000000']) {
      const r = await api.call('GET', path);
      expect(r.status).toBe(404);
      expect(r.body.error).toMatchObject({ code: 'not_found', retryable: false });
      expect(r.body.error.hint).toBeTruthy();
    }
    const restore = await api.call('POST', '/v1/snapshots/snap-000000000000/restore');
    expect(restore.status).toBe(404);
  });
});
