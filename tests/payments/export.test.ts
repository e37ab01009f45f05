import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DECIMAL_RE } from '../../src/core/money.ts';
import type { SandboxRecord } from '../../src/core/record.ts';
import { finHubConfig } from '../../src/export/config.ts';
import { deliver, parseRetryAfter } from '../../src/export/deliver.ts';
import { CloudEvent, usageEventId } from '../../src/export/envelope.ts';
import { FinHubHooks } from '../../src/export/fin-hub-hooks.ts';
import { ACKED_COLLECTION, OUTBOX_COLLECTION, pendingEvents, replayOutbox } from '../../src/export/outbox.ts';
import { CreditsHooks } from '../../src/payments/credits-hooks.ts';
import { Ledger } from '../../src/payments/ledger.ts';
import { tempDir } from '../helpers/env.ts';
import { Collector } from './collector.ts';
import { FAST_POLICY, stubManager } from './harness.ts';

const TOKEN = 'fin-hub-token-s3cr3t-value';
const dirs: { cleanup(): void }[] = [];
const collector = new Collector();
beforeAll(() => collector.up());
afterAll(async () => {
  await collector.down();
  dirs.forEach((d) => d.cleanup());
});
afterEach(() => void collector.script.splice(0));

function setup(policy = FAST_POLICY) {
  const t = tempDir('sbx-export-');
  dirs.push(t);
  const env = { SANDBOXER_FIN_HUB_URL: collector.url, SANDBOXER_FIN_HUB_TOKEN: TOKEN };
  const cfg = finHubConfig(env)!;
  const { store } = stubManager(t.dir, []);
  const hooks = [new CreditsHooks(store, env), new FinHubHooks(store, cfg, { policy })];
  return { ...stubManager(t.dir, hooks, env), env, cfg, dir: t.dir };
}

async function createAndDestroy(s: ReturnType<typeof setup>) {
  const r = await s.manager.create({ profileId: 'profile.saas-stub', ttl: '5m' });
  return s.manager.destroy(r.id);
}

describe('fin-hub export', () => {
  it('sends a CloudEvents 1.0 usage record with an id derived from the sandbox id, once', async () => {
    const s = setup();
    const done = await createAndDestroy(s);
    const got = collector.stored.get(usageEventId(done.id))!;
    const event = CloudEvent.parse(got);
    expect(event).toMatchObject({ specversion: '1.0', id: `usage-${done.id}`, subject: done.id });
    expect(event.data).toMatchObject({
      sandbox_id: done.id,
      extension_id: 'ext.saas-stub',
      duration_s: done.meter!.duration_s,
      actual_usd: done.meter!.actual_usd,
      repository: 'acme/app',
      run_id: '42',
    });
    expect(typeof event.data.actual_usd).toBe('string');
    expect(String(event.data.actual_usd)).toMatch(DECIMAL_RE);
    const req = collector.received.find((r) => r.id === event.id)!;
    expect(req.headers['content-type']).toBe('application/cloudevents+json');
    expect(req.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(await pendingEvents(s.store)).toEqual([]);
    // the token never reaches the state directory
    const files = readdirSync(s.dir, { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
    for (const f of files) expect(readFileSync(join(f.parentPath, f.name), 'utf8')).not.toContain(TOKEN);
  });

  it('retries a 500 and succeeds on the following 200', async () => {
    const s = setup();
    collector.script.push({ kind: 'error', status: 500 });
    const done = await createAndDestroy(s);
    const tries = collector.received.filter((r) => r.id === usageEventId(done.id));
    expect(tries.map((t) => t.answered)).toEqual([500, 202]);
    expect(await pendingEvents(s.store)).toEqual([]);
  });

  it('honours 429 Retry-After and then delivers', async () => {
    const s = setup();
    collector.script.push({ kind: 'retry-after', seconds: 1 });
    const done = await createAndDestroy(s);
    const tries = collector.received.filter((r) => r.id === usageEventId(done.id));
    expect(tries.map((t) => t.answered)).toEqual([429, 202]);
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(Date.now() + 60_000).toUTCString())).toBeGreaterThan(50_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });

  it('treats 409 and 422 duplicates as acknowledged', async () => {
    const s = setup();
    const done = await createAndDestroy(s);
    const event = CloudEvent.parse(collector.stored.get(usageEventId(done.id)));
    const again = await deliver(s.cfg, event, FAST_POLICY);
    expect(again).toMatchObject({ ok: true, status: 409, duplicate: true });
    collector.script.push({ kind: 'error', status: 422 });
    expect(await deliver(s.cfg, event, FAST_POLICY)).toMatchObject({ ok: true, status: 422 });
  });

  it('keeps records in the outbox while the collector is down, without failing the destroy', async () => {
    const s = setup();
    await collector.down();
    try {
      const a = await createAndDestroy(s);
      const b = await createAndDestroy(s);
      expect([a.state, b.state]).toEqual(['destroyed', 'destroyed']);
      expect((await pendingEvents(s.store)).map((e) => e.id).sort()).toEqual(
        [usageEventId(a.id), usageEventId(b.id)].sort(),
      );
      // the debit is not held back by the export
      const debits = (await new Ledger(s.store).entries()).filter((e) => e.entry.kind === 'debit');
      expect(debits.length).toBe(2);
    } finally {
      await collector.up();
    }
    const r = await replayOutbox(s.store, s.env, { policy: FAST_POLICY });
    expect(r.delivered.length).toBe(2);
    expect(r.remaining).toBe(0);
    const again = await replayOutbox(s.store, s.env, { policy: FAST_POLICY });
    expect(again).toMatchObject({ delivered: [], duplicates: [], requeued: [], remaining: 0 });
  });

  it('a slow collector that stored the record but answered too late gets a duplicate on replay, not a second record', async () => {
    const s = setup({ ...FAST_POLICY, timeout_ms: 300, tries: 1 });
    collector.script.push({ kind: 'slow', ms: 1_500 });
    const done = await createAndDestroy(s);
    const id = usageEventId(done.id);
    expect((await pendingEvents(s.store)).map((e) => e.id)).toEqual([id]);
    const r = await replayOutbox(s.store, s.env, { policy: FAST_POLICY });
    expect(r.duplicates).toEqual([id]);
    expect(collector.acceptedCounts().get(id) ?? 0).toBeLessThanOrEqual(1);
    expect(collector.stored.has(id)).toBe(true);
    expect(await pendingEvents(s.store)).toEqual([]);
  });

  it('leaves a permanently refused record (400) in the outbox and does not retry it in a loop', async () => {
    const s = setup();
    collector.script.push({ kind: 'error', status: 400 });
    const done = await createAndDestroy(s);
    const tries = collector.received.filter((r) => r.id === usageEventId(done.id));
    expect(tries.length).toBe(1);
    expect((await pendingEvents(s.store)).map((e) => e.id)).toEqual([usageEventId(done.id)]);
    expect((await replayOutbox(s.store, s.env, { policy: FAST_POLICY })).delivered).toEqual([
      usageEventId(done.id),
    ]);
  });

  it('every record arrives exactly once by id across faults, concurrent teardowns and replays', async () => {
    const s = setup({ ...FAST_POLICY, tries: 2 });
    const others = [stubManager(s.dir, [], s.env), stubManager(s.dir, [], s.env)];
    const faults = [
      { kind: 'error', status: 503 },
      { kind: 'retry-after', seconds: 0 },
      { kind: 'slow', ms: 4_000 },
      { kind: 'error', status: 500 },
      { kind: 'blackhole' },
      { kind: 'error', status: 502 },
    ] as const;
    collector.script.push(...faults);
    const created: SandboxRecord[] = [];
    for (let i = 0; i < 12; i++)
      created.push(await s.manager.create({ profileId: 'profile.saas-stub', ttl: '5m' }));
    await Promise.all(created.map((r) => s.manager.destroy(r.id)));
    // several replays at once, as teardown, reap-stale and an operator might run them
    await Promise.all([
      replayOutbox(s.store, s.env, { policy: FAST_POLICY }),
      replayOutbox(others[0]!.store, s.env, { policy: FAST_POLICY }),
      replayOutbox(others[1]!.store, s.env, { policy: FAST_POLICY }),
    ]);
    const final = await replayOutbox(s.store, s.env, { policy: FAST_POLICY });
    expect(final.remaining).toBe(0);
    const want = created.map((r) => usageEventId(r.id)).sort();
    expect(want.every((id) => collector.stored.has(id))).toBe(true);
    const counts = collector.acceptedCounts();
    for (const id of want) expect(counts.get(id)).toBe(1);
    // every send of a sandbox's record, first try or replay, carried the same id: a deduping collector keeps one
    const mine = collector.received.filter((r) => created.some((c) => c.id === r.body.subject));
    expect(mine.length).toBeGreaterThan(12);
    for (const r of mine) expect(r.id).toBe(usageEventId(String(r.body.subject)));
    expect((await s.store.readCollection(ACKED_COLLECTION)).filter((a) => want.includes(a.key)).length).toBe(
      12,
    );
    expect(await s.store.readCollection(OUTBOX_COLLECTION)).toEqual([]);
  });
});
