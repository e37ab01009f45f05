import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/core/logger.ts';
import {
  LIFECYCLE_EVENT_TYPE,
  METER_EVENT_TYPE,
  REAP_EVENT_TYPE,
  SNAPSHOT_EVENT_TYPE,
  StateHubHooks,
  stateHubConfig,
} from '../../src/events/state-hub.ts';
import { reapStale } from '../../src/reaper/reap.ts';
import { tempDir } from '../helpers/env.ts';
import { Collector } from './collector.ts';
import { stubManager } from './harness.ts';

const hub = new Collector();
const dirs: { cleanup(): void }[] = [];
beforeAll(() => hub.up());
afterAll(async () => {
  await hub.down();
  dirs.forEach((d) => d.cleanup());
});

function capture(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    warnings,
    debug() {},
    info() {},
    warn: (m) => void warnings.push(m),
    error() {},
    group: (_t, fn) => fn(),
  };
}

function setup(env: NodeJS.ProcessEnv) {
  const t = tempDir('sbx-hub-');
  dirs.push(t);
  const log = capture();
  const hooks = new StateHubHooks(stateHubConfig(env)!, log);
  return { ...stubManager(t.dir, [hooks]), hooks, log };
}

describe('State Hub events', () => {
  it('is disabled when SANDBOXER_STATE_HUB_URL is unset', () => {
    expect(stateHubConfig({})).toBeUndefined();
    expect(stateHubConfig({ SANDBOXER_STATE_HUB_URL: 'http://127.0.0.1:1/e' })?.timeout_ms).toBe(2000);
  });

  it('posts a lifecycle event on every transition and a meter event, each with extension_id', async () => {
    const { manager } = setup({ SANDBOXER_STATE_HUB_URL: hub.url });
    const r = await manager.create({ profileId: 'profile.saas-stub', ttl: '5m' });
    await manager.destroy(r.id);
    const mine = hub.received.filter((e) => e.body.subject === r.id).map((e) => e.body);
    const lifecycle = mine.filter((e) => e.type === LIFECYCLE_EVENT_TYPE);
    expect(lifecycle.map((e) => (e.data as { to: string }).to)).toEqual([
      'requested',
      'provisioning',
      'ready',
      'destroying',
      'destroyed',
    ]);
    const meter = mine.filter((e) => e.type === METER_EVENT_TYPE);
    expect(meter.length).toBe(1);
    for (const e of mine) expect((e.data as { extension_id: string }).extension_id).toBe('ext.saas-stub');
    expect((meter[0]!.data as { actual_usd: string }).actual_usd).toBe('0.003000');
    expect(new Set(mine.map((e) => e.id)).size).toBe(mine.length);
  });

  it('posts a snapshot event when a snapshot is taken and when it is deleted, and no lifecycle event', async () => {
    const { manager } = setup({ SANDBOXER_STATE_HUB_URL: hub.url });
    const r = await manager.create({ profileId: 'profile.saas-stub', ttl: '5m' });
    const before = hub.received.filter((e) => e.body.subject === r.id).length;
    const snap = await manager.snapshot(r.id, 'nightly');
    await manager.deleteSnapshot(snap.id);
    const events = hub.received.filter((e) => e.body.subject === snap.id).map((e) => e.body);
    expect(events.map((e) => [e.type, (e.data as { state: string }).state])).toEqual([
      [SNAPSHOT_EVENT_TYPE, 'available'],
      [SNAPSHOT_EVENT_TYPE, 'deleted'],
    ]);
    expect(events[0]!.data).toMatchObject({
      sandbox_id: r.id,
      name: 'nightly',
      extension_id: 'ext.saas-stub',
    });
    expect(hub.received.filter((e) => e.body.subject === r.id).length).toBe(before);
    await manager.destroy(r.id);
  });

  it('carries the actor type on records, labels and events', async () => {
    const { manager } = setup({ SANDBOXER_STATE_HUB_URL: hub.url });
    const r = await manager.create({ profileId: 'profile.saas-stub', ttl: '5m' });
    expect(r.owner.actor_type).toBe('atm');
    expect(r.labels['io.sandboxer.actor-type']).toBe('atm');
    const first = hub.received.find((e) => e.body.subject === r.id)!.body;
    expect((first.data as { owner: { actor_type: string } }).owner.actor_type).toBe('atm');
    await manager.destroy(r.id);
  });

  it('carries the HTTP API caller of a record on its lifecycle events, and none for a CLI create', async () => {
    const { manager } = setup({ SANDBOXER_STATE_HUB_URL: hub.url });
    const caller = { id: 'ci-frontend', scope: 'team-frontend' };
    const api = await manager.create({ profileId: 'profile.saas-stub', ttl: '5m', caller });
    const cli = await manager.create({ profileId: 'profile.saas-stub', ttl: '5m' });
    const data = (id: string) =>
      hub.received
        .filter((e) => e.body.subject === id && e.body.type === LIFECYCLE_EVENT_TYPE)
        .map((e) => e.body.data as { caller?: unknown });
    expect(data(api.id).length).toBeGreaterThan(0);
    for (const d of data(api.id)) expect(d.caller).toEqual(caller);
    for (const d of data(cli.id)) expect(d).not.toHaveProperty('caller');
    await manager.destroy(api.id);
    await manager.destroy(cli.id);
  });

  it('posts an event for every applied reaper action, and none for a dry run', async () => {
    const { manager } = setup({ SANDBOXER_STATE_HUB_URL: hub.url });
    const r = await manager.create({ profileId: 'profile.saas-stub', ttl: '5m' });
    const later = new Date(Date.now() + 3600_000);
    const reapEvents = () =>
      hub.received
        .filter((e) => e.body.subject === r.id && e.body.type === REAP_EVENT_TYPE)
        .map((e) => e.body);
    await reapStale(manager, { now: later, replayOutbox: false });
    expect(reapEvents()).toEqual([]);
    await reapStale(manager, { apply: true, now: later, replayOutbox: false });
    const [event, ...rest] = reapEvents();
    expect(rest).toEqual([]);
    expect(event!.data).toMatchObject({
      kind: 'expired',
      sandbox_id: r.id,
      extension_id: 'ext.saas-stub',
      outcome: 'done',
      final_state: 'expired',
    });
  });

  it('a down hub never fails the lifecycle: one warning, then events are dropped during the cooldown', async () => {
    const down = new Collector();
    await down.up();
    const url = down.url;
    await down.down(); // the port is closed now: connection refused
    const { manager, hooks, log } = setup({ SANDBOXER_STATE_HUB_URL: url });
    const r = await manager.create({ profileId: 'profile.saas-stub', ttl: '5m' });
    const done = await manager.destroy(r.id);
    expect(done.state).toBe('destroyed');
    expect(hooks.stats.sent).toBe(0);
    expect(hooks.stats.dropped).toBe(6); // 5 transitions + 1 meter event
    expect(log.warnings.length).toBe(1);
    expect(log.warnings[0]).toMatch(/State Hub event .* dropped/);
  });

  it('a hub that never answers is bounded by the short timeout and does not block the lifecycle', async () => {
    hub.script.push({ kind: 'blackhole' });
    const { manager, hooks, log } = setup({
      SANDBOXER_STATE_HUB_URL: hub.url,
      SANDBOXER_STATE_HUB_TIMEOUT_MS: '300',
    });
    const r = await manager.create({ profileId: 'profile.saas-stub', ttl: '5m' });
    expect(r.state).toBe('ready');
    expect(log.warnings[0]).toMatch(/no answer within 300 ms/);
    expect(hooks.stats.dropped).toBeGreaterThanOrEqual(1);
    await manager.destroy(r.id);
  });
});
