import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/catalog/loader.ts';
import type { SandboxRecord } from '../../src/core/record.ts';
import { defaultRegistry } from '../../src/extensions/registry.ts';
import { SandboxManager } from '../../src/manager/manager.ts';
import { FileStateStore } from '../../src/state/file/file-store.ts';
import { REAP_LOG, reapStale } from '../../src/reaper/reap.ts';
import { GitHubRunStatus } from '../../src/reaper/runs.ts';
import { findStale } from '../../src/reaper/stale.ts';
import { startKvServer, type KvServer } from '../credentials/kv-server.ts';
import { tempDir } from '../helpers/env.ts';

const tmp = tempDir('sbx-reap-');
const stubDir = join(tmp.dir, 'stub');
const catalog = loadCatalog();
const SCOPE = 'test:reap';
const HOUR = 3600_000;

function managerFor(stateDir: string, scope: string, extraEnv: NodeJS.ProcessEnv = {}) {
  const env = { SANDBOXER_STATE_DIR: stateDir, SANDBOXER_STUB_DIR: stubDir, ...extraEnv };
  return new SandboxManager({
    catalog,
    registry: defaultRegistry(),
    store: new FileStateStore(stateDir),
    owner: { scope },
    env,
  });
}

const stubObjects = () =>
  existsSync(join(stubDir, 'objects'))
    ? readdirSync(join(stubDir, 'objects'))
        .filter((f) => f.endsWith('.json'))
        .sort()
    : [];
const objectOf = (r: SandboxRecord) => `${String(r.handle.backend_id)}.json`;

describe('findStale and reapStale on ext.saas-stub', () => {
  const main = join(tmp.dir, 'state');
  const m = managerFor(main, SCOPE);
  const later = new Date(Date.now() + 2 * HOUR);
  const ids: Record<string, string> = {};
  let objects: Record<string, string> = {};
  let liveCreate: { done: Promise<unknown>; abort: AbortController };

  beforeAll(async () => {
    const healthy = await m.create({ profileId: 'profile.saas-stub', ttl: '24h' });
    const expired = await m.create({ profileId: 'profile.saas-stub', ttl: '1h' });
    const gone = await m.create({ profileId: 'profile.saas-stub', ttl: '24h' });
    rmSync(join(stubDir, 'objects', objectOf(gone))); // the backend dropped it (e.g. its own expiry)

    // A creator still inside provision (same store, slow backend): at `later` it counts as stuck.
    const slow = managerFor(main, SCOPE, { SANDBOXER_STUB_DELAY_MS: '120000' });
    const abort = new AbortController();
    let stuckId = '';
    const done = slow.create({
      profileId: 'profile.saas-stub',
      ttl: '24h',
      signal: abort.signal,
      onCreated: (r) => void (stuckId = r.id),
    });
    done.catch(() => undefined);
    liveCreate = { done, abort };
    for (;;) {
      const r = stuckId ? await m.store.getSandbox(stuckId) : undefined;
      if (r?.handle.backend_id) break;
      await new Promise((res) => setTimeout(res, 20));
    }

    // A failed create whose cleanup also failed: failed + cleanup_pending, object still there.
    const broken = managerFor(main, SCOPE, { SANDBOXER_STUB_FAULT: 'provision:fatal,teardown:fatal' });
    let brokenId = '';
    await expect(
      broken.create({ profileId: 'profile.saas-stub', onCreated: (r) => void (brokenId = r.id) }),
    ).rejects.toThrow(/injected fatal fault/);

    // Objects whose records live elsewhere: same scope (an orphan to us) and another scope (not ours).
    const lost = await managerFor(join(tmp.dir, 'lost'), SCOPE).create({ profileId: 'profile.saas-stub' });
    const foreign = await managerFor(join(tmp.dir, 'foreign'), 'test:someone-else').create({
      profileId: 'profile.saas-stub',
    });
    Object.assign(ids, {
      healthy: healthy.id,
      expired: expired.id,
      gone: gone.id,
      stuck: stuckId,
      cleanup: brokenId,
      lost: lost.id,
      foreign: foreign.id,
    });
    objects = {
      healthy: objectOf(healthy),
      foreign: objectOf(foreign),
    };
  });

  afterAll(async () => {
    liveCreate?.abort.abort();
    await liveCreate?.done.catch(() => undefined);
    tmp.cleanup();
  });

  it('finds each kind once, and not the healthy sandbox or another scope’s object', async () => {
    const report = await findStale(m, { now: later, extensions: ['ext.saas-stub'] });
    const kinds = Object.fromEntries(report.items.map((i) => [i.sandbox_id, i.kind]));
    expect(kinds).toEqual({
      [ids.expired!]: 'expired',
      [ids.gone!]: 'gone',
      [ids.stuck!]: 'stuck',
      [ids.cleanup!]: 'cleanup',
      [ids.lost!]: 'orphaned',
    });
    expect(report.examined.listed).toEqual(['ext.saas-stub']);
    const all = await findStale(m, { now: later, extensions: ['ext.saas-stub'], scope: '*' });
    expect(all.items.find((i) => i.sandbox_id === ids.foreign)?.kind).toBe('orphaned');
  });

  it('leaves an orphan younger than the minimum age alone', async () => {
    const report = await reapStale(m, { extensions: ['ext.saas-stub'] });
    const lost = report.actions.find((a) => a.sandbox_id === ids.lost)!;
    expect(lost.outcome).toBe('skipped');
    expect(lost.note).toMatch(/younger than the minimum orphan age/);
  });

  it('a dry run changes nothing', async () => {
    const before = { objects: stubObjects(), records: await m.store.listSandboxes() };
    const report = await reapStale(m, { now: later, extensions: ['ext.saas-stub'] });
    expect(report.apply).toBe(false);
    expect(report.summary.planned).toBe(5);
    expect(stubObjects()).toEqual(before.objects);
    expect(await m.store.listSandboxes()).toEqual(before.records);
    expect(await m.store.readCollection(REAP_LOG)).toEqual([]);
  });

  it('--apply reconciles both ways through the manager and logs every action', async () => {
    const report = await reapStale(m, {
      now: later,
      extensions: ['ext.saas-stub'],
      apply: true,
      replayOutbox: false,
    });
    expect(report.summary).toEqual({ planned: 0, done: 5, skipped: 0, error: 0 });
    const final = Object.fromEntries(report.actions.map((a) => [a.sandbox_id, a.final_state ?? a.note]));
    expect(final).toEqual({
      [ids.expired!]: 'expired',
      [ids.gone!]: 'destroyed',
      [ids.stuck!]: 'destroyed',
      [ids.cleanup!]: 'failed',
      [ids.lost!]: 'orphan torn down',
    });
    for (const key of ['expired', 'gone', 'stuck', 'cleanup']) {
      const r = await m.get(ids[key]!);
      expect(r.teardown_requested_by).toBe('reaper');
      expect(r.cleanup_pending ?? false).toBe(false);
    }
    expect((await m.get(ids.gone!)).history.at(-1)?.reason).toMatch(/^reap: backend object is gone/);
    expect((await m.get(ids.expired!)).history.at(-1)?.reason).toMatch(/^ttl: TTL lapsed/);
    // Only the healthy sandbox and the other scope's object remain on the backend.
    expect(stubObjects()).toEqual([objects.healthy, objects.foreign].sort());
    expect((await m.get(ids.healthy!)).state).toBe('ready');
    const log = await m.store.readCollection(REAP_LOG);
    expect(log.map((e) => (e.value as { sandbox_id: string }).sandbox_id).sort()).toEqual(
      [ids.expired, ids.gone, ids.stuck, ids.cleanup, ids.lost].sort(),
    );
  });

  it('the interrupted creator gives up without resurrecting the reaped sandbox', async () => {
    liveCreate.abort.abort();
    await expect(liveCreate.done).rejects.toThrow();
    expect((await m.get(ids.stuck!)).state).toBe('destroyed');
  });

  it('a second run has nothing to do', async () => {
    const report = await reapStale(m, {
      now: later,
      extensions: ['ext.saas-stub'],
      apply: true,
      replayOutbox: false,
    });
    expect(report.actions).toEqual([]);
    expect(report.calls.destroy + report.calls.teardown).toBe(0);
  });
});

describe('reapStale resolves each credential once per run', () => {
  let kv: KvServer | undefined;
  afterAll(async () => kv?.close());

  it('a Vault secret serves the listing and every orphan teardown with one read', async () => {
    kv = await startKvServer({ secrets: { 'secret/stub': { key: 'stub-api-key' } }, token: 'vault-token' });
    const stub = catalog.extensions.get('ext.saas-stub')!;
    const withVault = {
      ...catalog,
      extensions: new Map(catalog.extensions).set('ext.saas-stub', {
        ...stub,
        value: {
          ...stub.value,
          credentials: [{ name: 'api_key', secret_ref: 'vault:secret/stub#key', required: true }],
        },
      }),
    };
    const env = {
      SANDBOXER_STUB_DIR: join(tmp.dir, 'stub-vault'),
      VAULT_ADDR: kv.url,
      VAULT_TOKEN: 'vault-token',
    };
    const managerAt = (dir: string) =>
      new SandboxManager({
        catalog: withVault,
        registry: defaultRegistry(),
        store: new FileStateStore(join(tmp.dir, dir)),
        owner: { scope: 'test:reap-vault' },
        env: { ...env, SANDBOXER_STATE_DIR: join(tmp.dir, dir) },
      });
    // Three objects whose records live in another state store: orphans to the reaper below.
    const lost = managerAt('vault-lost');
    for (let i = 0; i < 3; i++) await lost.create({ profileId: 'profile.saas-stub' });
    const reads = () => kv!.seen.filter((r) => r.url === '/v1/secret/data/stub').length;
    const before = reads();

    const report = await reapStale(managerAt('vault-reaper'), {
      apply: true,
      minOrphanAge_s: 0,
      extensions: ['ext.saas-stub'],
      replayOutbox: false,
    });
    expect(report.actions.filter((a) => a.kind === 'orphaned' && a.outcome === 'done')).toHaveLength(3);
    expect(reads() - before).toBe(1);
  });
});

describe('reapStale asks GitHub whether the owning run is still going', () => {
  const dir = join(tmp.dir, 'runs');
  const cloud = join(dir, 'stub');
  const owner = (run: string) => ({ scope: 'test:runs', repository: 'acme/app', run_id: run });
  const at = (state: string, run: string, env: NodeJS.ProcessEnv = {}) =>
    new SandboxManager({
      catalog,
      registry: defaultRegistry(),
      store: new FileStateStore(join(dir, state)),
      owner: owner(run),
      env: { SANDBOXER_STATE_DIR: join(dir, state), SANDBOXER_STUB_DIR: cloud, ...env },
    });
  // GitHub's `GET /repos/{owner}/{repo}/actions/runs/{run_id}` for three runs; any other run is a 404.
  const runs: Record<string, string> = { '41': 'in_progress', '42': 'completed', '43': 'queued' };
  const asked: string[] = [];
  const github = async (route: string, params: Record<string, unknown>) => {
    expect(route).toBe('GET /repos/{owner}/{repo}/actions/runs/{run_id}');
    expect([params.owner, params.repo]).toEqual(['acme', 'app']);
    asked.push(String(params.run_id));
    const status = runs[String(params.run_id)];
    if (!status) throw Object.assign(new Error('Not Found'), { status: 404 });
    return { data: { id: Number(params.run_id), status } };
  };
  const ids: Record<string, string> = {};
  let killed: { done: Promise<unknown>; abort: AbortController } | undefined;

  beforeAll(async () => {
    ids.active = (await at('state', '41').create({ profileId: 'profile.saas-stub', ttl: '24h' })).id;
    ids.lost = (await at('state', '42').create({ profileId: 'profile.saas-stub', ttl: '24h' })).id;
    const kept = await at('state', '42').create({ profileId: 'profile.saas-stub', ttl: '24h' });
    await at('state', '42').store.updateSandbox(kept.id, (r) => ({
      ...r,
      labels: { ...r.labels, 'io.sandboxer.kept': 'teardown: never' },
    }));
    ids.kept = kept.id;
    ids.unknown = (await at('state', '44').create({ profileId: 'profile.saas-stub', ttl: '24h' })).id;
    // A create whose process is gone mid-provision (its run completed): the record stays `provisioning`.
    const abort = new AbortController();
    const done = at('state', '42', { SANDBOXER_STUB_DELAY_MS: '120000' }).create({
      profileId: 'profile.saas-stub',
      signal: abort.signal,
      onCreated: (r) => void (ids.killed = r.id),
    });
    done.catch(() => undefined);
    killed = { done, abort };
    const m = at('state', '42');
    while (!ids.killed || (await m.store.getSandbox(ids.killed))?.state !== 'provisioning')
      await new Promise((res) => setTimeout(res, 20));
    // Objects without a record here: one from the completed run, one from the running one (both young).
    ids.orphanDone = (await at('elsewhere', '42').create({ profileId: 'profile.saas-stub' })).id;
    ids.orphanActive = (await at('elsewhere', '41').create({ profileId: 'profile.saas-stub' })).id;
  });
  afterAll(async () => {
    killed?.abort.abort();
    await killed?.done.catch(() => undefined);
  });

  it('without run statuses none of them is stale yet (the bounds of an unknown creator apply)', async () => {
    const report = await findStale(at('state', '99'), { extensions: ['ext.saas-stub'], scope: 'test:runs' });
    expect(report.items.filter((i) => i.kind !== 'orphaned')).toEqual([]);
    expect(report.items.map((i) => i.sandbox_id).sort()).toEqual([ids.orphanActive, ids.orphanDone].sort());
  });

  it('reaps a completed run’s live sandboxes and its killed create now, one question per run', async () => {
    const oracle = new GitHubRunStatus(github, { concurrency: 2 });
    const m = at('state', '99');
    const report = await reapStale(m, {
      apply: true,
      runs: oracle,
      extensions: ['ext.saas-stub'],
      scope: 'test:runs',
      replayOutbox: false,
    });
    const byId = Object.fromEntries(report.actions.map((a) => [a.sandbox_id, [a.kind, a.outcome]]));
    expect(byId).toEqual({
      [ids.lost!]: ['abandoned', 'done'],
      [ids.killed!]: ['abandoned', 'done'],
      [ids.orphanDone!]: ['orphaned', 'done'],
      [ids.orphanActive!]: ['orphaned', 'skipped'],
    });
    expect((await m.get(ids.killed!)).state).toBe('destroyed');
    expect((await m.get(ids.lost!)).history.at(-1)?.reason).toMatch(/workflow run 42 has completed/);
    for (const id of [ids.active!, ids.kept!, ids.unknown!]) expect((await m.get(id)).state).toBe('ready');
    expect(asked.sort()).toEqual(['41', '42', '44']);
    expect(oracle.calls).toBe(3);
  });
});
