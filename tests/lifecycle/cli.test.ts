import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SandboxRecord, SnapshotRecord } from '../../src/core/record.ts';
import { openStateStore } from '../../src/state/open.ts';
import type { ReapReport } from '../../src/reaper/reap.ts';
import type { StaleReport } from '../../src/reaper/stale.ts';
import { cli, json } from '../helpers/cli.ts';
import { tempDir } from '../helpers/env.ts';

/** Snapshots, TTL and reaping through the real CLI, as child processes sharing one state dir and one stub. */
const tmp = tempDir('sbx-lifecycle-cli-');
const stateDir = join(tmp.dir, 'state');
const stubDir = join(tmp.dir, 'stub');
const env = {
  SANDBOXER_STATE_DIR: stateDir,
  SANDBOXER_STUB_DIR: stubDir,
  SANDBOXER_SCOPE: 'test:lifecycle-cli',
};
const run = (...args: string[]) => cli(args, env);
const store = openStateStore({ SANDBOXER_STATE_DIR: stateDir });
const stubObject = (r: SandboxRecord) => join(stubDir, 'objects', `${String(r.handle.backend_id)}.json`);
const errorCode = (stdout: string) => (JSON.parse(stdout) as { error: { code: string } }).error.code;

afterAll(() => tmp.cleanup());

// Each step spawns CLI processes; on a busy machine one start costs seconds, hence the generous bound.
describe('sandboxer snapshot / restore / snapshots', { timeout: 120_000 }, () => {
  let source: SandboxRecord;
  let snap: SnapshotRecord;

  it('snapshots a ready sandbox into the index', async () => {
    source = json<SandboxRecord>(await run('create', '--ttl', '30m', '--json'));
    expect(source.state).toBe('ready');
    const r = await run('snapshot', source.id, '--name', 'first', '--json');
    expect(r.code, r.stderr).toBe(0);
    snap = json<SnapshotRecord>(r);
    expect(snap).toMatchObject({ sandbox_id: source.id, name: 'first', state: 'available' });
    expect(existsSync(join(stubDir, 'snapshots', `${String(snap.handle.snapshot_backend_id)}.json`))).toBe(
      true,
    );
    const [list, got] = await Promise.all([
      run('snapshots', 'list', '--json'),
      run('snapshots', 'get', snap.id),
    ]);
    expect(json<SnapshotRecord[]>(list).map((s) => s.id)).toEqual([snap.id]);
    expect(got.stdout).toMatch(new RegExp(`name\\s+first`));
  });

  it('restore creates a new sandbox from the snapshot', async () => {
    const r = await run('restore', snap.id, '--json');
    expect(r.code, r.stderr).toBe(0);
    const restored = json<SandboxRecord>(r);
    expect(restored.id).not.toBe(source.id);
    expect(restored).toMatchObject({ state: 'ready', restored_from: snap.id, extension_id: 'ext.saas-stub' });
    expect(restored.handle.restored_from).toBe(snap.handle.snapshot_backend_id);
    await run('destroy', restored.id);
  });

  it('snapshots delete removes the backend copy and marks the index entry; restore then refuses', async () => {
    const r = await run('snapshots', 'delete', snap.id, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(json<SnapshotRecord>(r).state).toBe('deleted');
    expect(existsSync(join(stubDir, 'snapshots', `${String(snap.handle.snapshot_backend_id)}.json`))).toBe(
      false,
    );
    const [list, all, again] = await Promise.all([
      run('snapshots', 'list', '--json'),
      run('snapshots', 'list', '--all', '--json'),
      run('restore', snap.id, '--json'),
    ]);
    expect(json<SnapshotRecord[]>(list)).toEqual([]);
    expect(json<SnapshotRecord[]>(all).map((s) => s.state)).toEqual(['deleted']);
    expect(again.code).toBe(1);
    expect(errorCode(again.stdout)).toBe('illegal_transition');
  });

  it('unknown ids are not_found (exit 1)', async () => {
    const [s, g] = await Promise.all([
      run('snapshot', 'sbx-000000000000', '--json'),
      run('snapshots', 'get', 'snap-000000000000', '--json'),
    ]);
    expect([s.code, g.code]).toEqual([1, 1]);
    expect([errorCode(s.stdout), errorCode(g.stdout)]).toEqual(['not_found', 'not_found']);
  });

  describe('sandboxer extend-ttl / expire', () => {
    it('extend-ttl pushes the new expiry to the backend and records it', async () => {
      const r = await run('extend-ttl', source.id, '--duration', '2h', '--json');
      expect(r.code, r.stderr).toBe(0);
      const out = json<{ record: SandboxRecord; pushed: boolean }>(r);
      expect(out.pushed).toBe(true);
      expect(Date.parse(out.record.expires_at!) - Date.parse(source.expires_at!)).toBe(2 * 3600_000);
      const obj = JSON.parse(readFileSync(stubObject(source), 'utf8')) as { expires_at: string };
      expect(obj.expires_at).toBe(out.record.expires_at);
      source = out.record;
    });

    it('invalid or missing durations are usage errors (exit 2) and change nothing', async () => {
      const results = await Promise.all([
        run('extend-ttl', source.id, '--duration', 'soon', '--json'),
        run('extend-ttl', source.id, '--duration', '3600', '--json'),
        run('extend-ttl', source.id, '--json'),
        run('create', '--ttl', 'forever', '--json'),
        run('reap-stale', '--min-orphan-age', 'later', '--json'),
      ]);
      expect(results.map((r) => r.code)).toEqual([2, 2, 2, 2, 2]);
      expect(results.map((r) => errorCode(r.stdout))).toEqual(['usage', 'usage', 'usage', 'usage', 'usage']);
      expect((await store.getSandbox(source.id))!.expires_at).toBe(source.expires_at);
    });

    it('expire lists lapsed sandboxes, and --apply tears them down to `expired`', async () => {
      // Move the recorded expiry into the past instead of waiting for it.
      const past = new Date(Date.now() - 60_000).toISOString();
      await store.updateSandbox(source.id, (r) => ({ ...r, expires_at: past }));
      const dry = await run('expire', '--json');
      expect(dry.code, dry.stderr).toBe(0);
      expect(json<{ expired: SandboxRecord[] }>(dry).expired.map((r) => r.id)).toEqual([source.id]);
      expect((await store.getSandbox(source.id))!.state).toBe('ready');
      const applied = await run('expire', '--apply', '--json');
      expect(applied.code, applied.stderr).toBe(0);
      expect(json<{ expired: SandboxRecord[] }>(applied).expired.map((r) => r.state)).toEqual(['expired']);
      expect(existsSync(stubObject(source))).toBe(false);
    });
  });

  describe('sandboxer inspect stale / reap-stale', () => {
    it('closes a record whose backend object is gone, dry run first', async () => {
      const live = json<SandboxRecord>(await run('create', '--json'));
      rmSync(stubObject(live));
      const inspect = await run('inspect', 'stale', '--min-orphan-age', '0', '--json');
      expect(inspect.code, inspect.stderr).toBe(0);
      const found = json<StaleReport>(inspect).items.map((i) => [i.sandbox_id, i.kind]);
      expect(found).toEqual([[live.id, 'gone']]);

      const dry = json<ReapReport>(await run('reap-stale', '--min-orphan-age', '0', '--json'));
      expect(dry.actions.map((a) => a.outcome)).toEqual(['planned']);
      expect((await store.getSandbox(live.id))!.state).toBe('ready');

      const applied = await run('reap-stale', '--apply', '--min-orphan-age', '0', '--json');
      expect(applied.code, applied.stderr).toBe(0);
      expect(json<ReapReport>(applied).actions.map((a) => [a.outcome, a.final_state])).toEqual([
        ['done', 'destroyed'],
      ]);
      const closed = (await store.getSandbox(live.id))!;
      expect(closed.state).toBe('destroyed');
      expect(closed.teardown_requested_by).toBe('reaper');
    });

    it('prints a readable table without --json', async () => {
      const r = await run('inspect', 'stale');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/records \(\d+ live\), \d+ backend objects on ext\.saas-stub/);
    });
  });
});
