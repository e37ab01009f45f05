import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usageEventId } from '../../src/export/envelope.ts';
import { pendingEvents, replayOutbox } from '../../src/export/outbox.ts';
import { CreditsHooks } from '../../src/payments/credits-hooks.ts';
import { Ledger } from '../../src/payments/ledger.ts';
import { openStateStore } from '../../src/state/open.ts';
import { cli, cliArgs, cliInProcess, json, REPO_ROOT } from '../helpers/cli.ts';
import { tempDir } from '../helpers/env.ts';
import { Collector } from './collector.ts';
import { FAST_POLICY, stubManager } from './harness.ts';

const collector = new Collector();
const dirs: { cleanup(): void }[] = [];
const fresh = () => {
  const t = tempDir('sbx-crash-');
  dirs.push(t);
  return t.dir;
};
beforeAll(() => collector.up());
afterAll(async () => {
  await collector.down();
  dirs.forEach((d) => d.cleanup());
});

const debitsOf = async (dir: string) =>
  (await new Ledger(openStateStore({ SANDBOXER_STATE_DIR: dir })).entries()).filter(
    (e) => e.entry.kind === 'debit',
  );

describe('a crash between debit and export loses nothing', () => {
  it('a CLI destroy killed while its usage record is in flight: replay delivers it exactly once', async () => {
    const dir = fresh();
    const env = { SANDBOXER_STATE_DIR: dir, SANDBOXER_FIN_HUB_URL: collector.url };
    const created = await cli(['create', '--profile', 'profile.saas-stub', '--ttl', '5m', '--json', '-q'], {
      SANDBOXER_STATE_DIR: dir,
    });
    const id = json<{ id: string }>(created).id;

    collector.script.push({ kind: 'blackhole' }); // the request arrives, the answer never comes
    const before = collector.received.length;
    const child = spawn(process.execPath, cliArgs(['destroy', id, '--json', '-q']), {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: 'ignore',
    });
    const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_c, sig) => r(sig)));
    await Promise.race([
      collector.waitForRequests(before + 1),
      exited.then(() => {
        throw new Error('destroy exited before sending its usage record');
      }),
    ]);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    // the debit was written before the export started, and the usage record waits in the outbox
    expect((await debitsOf(dir)).map((d) => d.entry.sandbox_id)).toEqual([id]);
    expect((await pendingEvents(openStateStore({ SANDBOXER_STATE_DIR: dir }))).map((e) => e.id)).toEqual([
      usageEventId(id),
    ]);
    expect(collector.stored.has(usageEventId(id))).toBe(false);

    const replay = await cli(['export', 'replay', '--json', '-q'], env);
    expect(replay.code).toBe(0);
    expect(json<{ delivered: string[] }>(replay).delivered).toEqual([usageEventId(id)]);
    const again = await cli(['export', 'replay', '--json', '-q'], env);
    expect(json<{ delivered: string[]; remaining: number }>(again)).toMatchObject({
      delivered: [],
      remaining: 0,
    });
    expect(collector.acceptedCounts().get(usageEventId(id))).toBe(1);
    expect((await debitsOf(dir)).length).toBe(1);
  }, 180_000);

  it('a process that died after the debit, before queueing the export: replay re-queues it from the record', async () => {
    const dir = fresh();
    const env = { SANDBOXER_FIN_HUB_URL: collector.url };
    const { store } = stubManager(dir, []);
    // this process only ran the credits hook: as if it died right after the debit
    const { manager } = stubManager(dir, [new CreditsHooks(store, env)], env);
    const r = await manager.create({ profileId: 'profile.saas-stub', ttl: '5m' });
    await manager.destroy(r.id);
    expect((await debitsOf(dir)).length).toBe(1);
    expect(await pendingEvents(store)).toEqual([]);

    const replay = await replayOutbox(store, env, { policy: FAST_POLICY });
    expect(replay.requeued).toEqual([usageEventId(r.id)]);
    expect(replay.delivered).toEqual([usageEventId(r.id)]);
    expect(collector.acceptedCounts().get(usageEventId(r.id))).toBe(1);
  });

  it('a process that died before any settlement: replay writes the missing debit and releases the hold', async () => {
    const dir = fresh();
    const env = { SANDBOXER_FIN_HUB_URL: collector.url };
    const withCredits = stubManager(dir, []);
    const credits = new CreditsHooks(withCredits.store, env);
    const creator = stubManager(dir, [credits], env);
    const r = await creator.manager.create({ profileId: 'profile.saas-stub', ttl: '5m' });
    await stubManager(dir, [], env).manager.destroy(r.id); // no hooks: nothing settled
    expect(await credits.ledger.balance()).toMatchObject({ live_holds: 1, debited_usd: '0.000000' });

    const replay = await replayOutbox(withCredits.store, env, { policy: FAST_POLICY });
    expect(replay.ledger_entries_written).toBe(2);
    expect(await credits.ledger.balance()).toMatchObject({ live_holds: 0, debited_usd: '0.003000' });
    expect(collector.acceptedCounts().get(usageEventId(r.id))).toBe(1);
  });
});

describe('credits and export CLI', () => {
  const run = cliInProcess;

  it('credits add / show, idempotent grants, usage errors exit 2', async () => {
    const env = { SANDBOXER_STATE_DIR: fresh() };
    const shown = json<{ mode: string }>(await run(['credits', 'show', '--json'], env));
    expect(shown.mode).toBe('unlimited');
    const added = await run(['credits', 'add', '2.50', '--id', 'topup-1', '--json'], env);
    expect(json(added)).toMatchObject({
      added: true,
      grant_id: 'topup-1',
      balance: { balance_usd: '2.500000' },
    });
    const repeat = await run(['credits', 'add', '2.50', '--id', 'topup-1', '--json'], env);
    expect(json(repeat)).toMatchObject({ added: false, balance: { balance_usd: '2.500000' } });
    const text = await run(['credits', 'show', '--entries'], env);
    expect(text.stdout).toMatch(/balance\s+\$2\.500000/);
    expect(text.stdout).toContain('topup-1');
    const bad = await run(['credits', 'add', 'lots', '--json'], env);
    expect(bad.code).toBe(2);
    expect(json<{ error: { code: string } }>(bad).error.code).toBe('usage');
    const noHub = await run(['export', 'replay'], env);
    expect(noHub.code).toBe(2);
    expect(noHub.stderr).toContain('SANDBOXER_FIN_HUB_URL');
    const list = await run(['export', 'list', '--json'], env);
    expect(JSON.parse(list.stdout)).toEqual([]);
  });
});
