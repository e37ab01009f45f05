import { afterAll, describe, expect, it } from 'vitest';
import { SandboxerError } from '../../src/core/errors.ts';
import { newSnapshotId } from '../../src/core/ids.ts';
import { computeBalance, Ledger } from '../../src/payments/ledger.ts';
import type { StateStore } from '../../src/state/store.ts';
import { tempDir } from '../helpers/env.ts';
import { HAVE_PG, HAVE_SQLITE, record, storeKinds } from './stores.ts';
import { PG_SKIP_REASON } from './pg-server.ts';

const tmp = tempDir('sbx-contract-');
const { kinds, twin, cleanup } = storeKinds(tmp.dir);
afterAll(async () => {
  await cleanup();
  tmp.cleanup();
});

if (!HAVE_SQLITE) console.warn(`sqlite store skipped: node:sqlite is not in Node ${process.versions.node}`);
if (!HAVE_PG) console.warn(`postgres store skipped: ${PG_SKIP_REASON}`);

describe.each(kinds)('%s state store', (_kind, make) => {
  it('creates, reads, lists and refuses a duplicate id', async () => {
    const s = await make();
    const r = record();
    await s.createSandbox(r);
    expect((await s.getSandbox(r.id))?.id).toBe(r.id);
    expect((await s.listSandboxes()).map((x) => x.id)).toEqual([r.id]);
    await expect(s.createSandbox(r)).rejects.toMatchObject({ code: 'conflict' });
    expect(await s.getSandbox('sbx-000000000000')).toBeUndefined();
    expect(await s.getSandbox('../../etc/passwd')).toBeUndefined();
  });

  it('lists in creation order and keeps every field', async () => {
    const s = await make();
    const a = record(undefined, { created_at: '2026-01-01T00:00:00.000Z', labels: { a: '1' } });
    const b = record(undefined, {
      created_at: '2025-01-01T00:00:00.000Z',
      owner: { scope: 'other', actor: 'x' },
      // The HTTP API's caller and the serving replica (#19, #16) are kept like every other field.
      caller: { id: 'ci-frontend', scope: 'team-frontend' },
      provisioner: 'replica-1',
    });
    await s.createSandbox(a);
    await s.createSandbox(b);
    expect(await s.listSandboxes()).toEqual([b, a]);
    // …also when read back through another handle on the same store (a fresh process).
    expect(await twin(s).getSandbox(b.id)).toEqual(b);
  });

  it('serialises concurrent read-modify-write updates of one record (no lost update)', async () => {
    const s = await make();
    const r = record();
    await s.createSandbox(r);
    await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        s.updateSandbox(r.id, (cur) => ({ ...cur, labels: { ...cur.labels, [`k${i}`]: String(i) } })),
      ),
    );
    const after = await s.getSandbox(r.id);
    expect(Object.keys(after!.labels)).toHaveLength(25);
    expect(after!.revision).toBe(26);
  });

  it('an update that throws changes nothing; updating a missing sandbox is not_found', async () => {
    const s = await make();
    const r = record();
    await s.createSandbox(r);
    await expect(
      s.updateSandbox(r.id, () => {
        throw new SandboxerError('conflict', 'refused');
      }),
    ).rejects.toMatchObject({ code: 'conflict' });
    expect(await s.getSandbox(r.id)).toEqual(r);
    await expect(s.updateSandbox('sbx-aaaaaaaaaaaa', (c) => c)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('keeps snapshots: put replaces, list in creation order', async () => {
    const s = await make();
    const snap = {
      id: newSnapshotId(),
      sandbox_id: 'sbx-aaaaaaaaaaaa',
      profile_id: 'profile.saas-stub',
      extension_id: 'ext.saas-stub',
      created_at: new Date().toISOString(),
      state: 'available' as const,
      handle: { ref: 'x' },
    };
    await s.putSnapshot(snap);
    await s.putSnapshot({ ...snap, state: 'deleted' });
    expect(await s.getSnapshot(snap.id)).toEqual({ ...snap, state: 'deleted' });
    expect((await s.listSnapshots()).map((x) => x.id)).toEqual([snap.id]);
    expect(await s.getSnapshot('nope')).toBeUndefined();
  });

  it('appendOnce keeps the first value per key; retries are no-ops', async () => {
    const s = await make();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => s.appendOnce('ledger', 'hold:x', { i })),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await s.appendOnce('ledger', 'debit:x', { v: 1 })).toBe(true);
    expect(await s.appendOnce('outbox', 'debit:x', { v: 2 })).toBe(true);
    const entries = await s.readCollection('ledger');
    expect(entries.map((e) => e.key)).toEqual(['debit:x', 'hold:x']);
    expect(entries[0]!.value).toEqual({ v: 1 });
    await s.removeFromCollection('ledger', 'hold:x');
    await s.removeFromCollection('ledger', 'hold:x');
    expect((await s.readCollection('ledger')).map((e) => e.key)).toEqual(['debit:x']);
    expect(await s.readCollection('empty')).toEqual([]);
    await expect(s.appendOnce('Bad Name', 'k', 1)).rejects.toBeInstanceOf(SandboxerError);
    await expect(s.appendOnce('ledger', '../escape', 1)).rejects.toBeInstanceOf(SandboxerError);
  });
});

describe.each(kinds)('%s state store: prefix reads', (_kind, make) => {
  it('readCollectionPrefix, where a store has it, returns exactly the keys with the prefix', async () => {
    const s = await make();
    for (const k of [
      'hold.sbx-aaaaaaaaaaaa',
      'hold.sbx-aaaaaaaaaaaa.r1',
      'hold.sbx-aaaaaaaaaaab',
      'holdx',
      'debit.a',
    ])
      await s.appendOnce('ledger', k, { k });
    if (!s.readCollectionPrefix) return;
    expect((await s.readCollectionPrefix('ledger', 'hold.sbx-aaaaaaaaaaaa')).map((e) => e.key)).toEqual([
      'hold.sbx-aaaaaaaaaaaa',
      'hold.sbx-aaaaaaaaaaaa.r1',
    ]);
    expect(await s.readCollectionPrefix('ledger', 'release.x')).toEqual([]);
  });
});

describe.each(kinds)('%s state store: the ledger balance', (_kind, make) => {
  it('a running balance, where a store keeps one, equals the balance computed from the entries', async () => {
    const s = await make();
    const ledger = new Ledger(s);
    const a = record();
    const b = record();
    const c = record();
    await ledger.grant('10', { id: 'g1' });
    await ledger.grant('10', { id: 'g1' }); // a retry: once
    await ledger.hold(a, '1.5');
    await ledger.hold(a, '0.5', 'ext1');
    await ledger.release(a, '0.5', undefined, 'ext1'); // voids that extension only
    await ledger.hold(b, '2');
    await ledger.debit(b, '1.25'); // closes b's hold
    await ledger.release(c, '3'); // a release before its hold (a crash order): the hold never opens
    await ledger.hold(c, '3');
    await Promise.all(Array.from({ length: 10 }, (_, i) => ledger.hold(record(), `0.0${i}`)));
    const computed = computeBalance(
      (await ledger.entries()).map((e) => e.entry),
      undefined,
    );
    expect(await ledger.balance()).toEqual(computed);
    expect(computed).toMatchObject({ granted_usd: '10.000000', debited_usd: '1.250000', live_holds: 11 });
    expect(await ledger.heldFor(a.id)).toBe(1_500_000n);
    // A removed entry (never done by the ledger itself, but possible by hand) recomputes the balance.
    await s.removeFromCollection('ledger', `debit.${b.id}`);
    expect(await ledger.balance()).toEqual(
      computeBalance(
        (await ledger.entries()).map((e) => e.entry),
        undefined,
      ),
    );
  });
});

describe.each(kinds)('%s state store: claims on collection entries', (_kind, make) => {
  const LONG = 60_000;
  const fill = async (s: StateStore, n: number) => {
    const keys = Array.from({ length: n }, (_, i) => `usage-sbx-${String(i).padStart(12, '0')}`);
    for (const k of keys) await s.appendOnce('outbox', k, { k });
    return keys;
  };

  it('two claimers never hold the same entry: concurrent claimers on two handles split the entries', async () => {
    const a = await make();
    const b = twin(a);
    const keys = await fill(a, 24);
    const drain = async (s: StateStore, owner: string) => {
      const mine: string[] = [];
      for (;;) {
        const got = await s.claimEntries('outbox', { leaseMs: LONG, limit: 2, owner });
        if (got.length === 0) return mine;
        mine.push(...got.map((c) => c.key));
      }
    };
    const got = await Promise.all([
      drain(a, 'a/1'),
      drain(b, 'b/1'),
      drain(a, 'a/2'),
      drain(b, 'b/2'),
      drain(a, 'a/3'),
      drain(b, 'b/3'),
    ]);
    const all = got.flat();
    expect(all.sort()).toEqual(keys);
    expect(new Set(all).size).toBe(24);
    // Every entry is held now: nobody gets anything until a claim is released or expires.
    expect(await b.claimEntries('outbox', { leaseMs: LONG, limit: 100 })).toEqual([]);
    const holders = await b.listClaims('outbox');
    expect(holders.map((h) => h.key)).toEqual(keys);
    // Each entry is held by the claimer that got it.
    const owners = new Map(
      got.flatMap((mine, i) => mine.map((k) => [k, ['a/1', 'b/1', 'a/2', 'b/2', 'a/3', 'b/3'][i]])),
    );
    for (const h of holders) expect(h.owner).toBe(owners.get(h.key));
    // Claims do not hide entries from plain reads.
    expect((await b.readCollection('outbox')).length).toBe(24);
  });

  it('a released claim is claimable again; a stale token releases nothing', async () => {
    const a = await make();
    const b = twin(a);
    const [key] = await fill(a, 1);
    const [first] = await a.claimEntries('outbox', { leaseMs: LONG });
    expect(first).toMatchObject({ key, value: { k: key } });
    expect(Date.parse(first!.expires_at)).toBeGreaterThan(Date.now());
    expect(await b.claimEntries('outbox', { leaseMs: LONG })).toEqual([]);
    expect(await b.releaseClaim('outbox', key!, 'not-the-token')).toBe(false);
    expect(await b.claimEntries('outbox', { leaseMs: LONG })).toEqual([]);
    // The send failed: give it back.
    expect(await a.releaseClaim('outbox', key!, first!.token)).toBe(true);
    expect(await a.releaseClaim('outbox', key!, first!.token)).toBe(false);
    const [again] = await b.claimEntries('outbox', { leaseMs: LONG });
    expect(again?.key).toBe(key);
    expect(again!.token).not.toBe(first!.token);
    // The first claimer's token no longer releases the second's claim.
    expect(await a.releaseClaim('outbox', key!, first!.token)).toBe(false);
    expect(await a.claimEntries('outbox', { leaseMs: LONG })).toEqual([]);
    // Done: removing the entry ends its claim.
    await b.removeFromCollection('outbox', key!);
    expect(await a.listClaims('outbox')).toEqual([]);
    expect(await a.claimEntries('outbox', { leaseMs: LONG })).toEqual([]);
  });

  it('an expired lease is reclaimable (its claimer is presumed dead)', async () => {
    const a = await make();
    const b = twin(a);
    const [key] = await fill(a, 1);
    const [dead] = await a.claimEntries('outbox', { leaseMs: 300, owner: 'gone-host/1' });
    expect(dead?.key).toBe(key);
    await new Promise((r) => setTimeout(r, 700));
    expect(await b.listClaims('outbox')).toEqual([]);
    const [taken] = await b.claimEntries('outbox', { leaseMs: LONG, owner: 'b/1' });
    expect(taken?.key).toBe(key);
    expect(await b.listClaims('outbox')).toMatchObject([{ key, owner: 'b/1', token: taken!.token }]);
    // The dead claimer coming back cannot release what is now someone else's.
    expect(await a.releaseClaim('outbox', key!, dead!.token)).toBe(false);
    expect(await a.claimEntries('outbox', { leaseMs: LONG })).toEqual([]);
  });

  it('claims in key order, within `keys`, never `skip`, at most `limit`; getEntry reads one entry', async () => {
    const s = await make();
    const keys = await fill(s, 5);
    const only = await s.claimEntries('outbox', { leaseMs: LONG, keys: [keys[3]!, 'usage-sbx-absent'] });
    expect(only.map((c) => c.key)).toEqual([keys[3]]);
    const next = await s.claimEntries('outbox', { leaseMs: LONG, limit: 2, skip: [keys[0]!] });
    expect(next.map((c) => c.key)).toEqual([keys[1], keys[2]]);
    expect((await s.claimEntries('outbox', { leaseMs: LONG, limit: 10 })).map((c) => c.key)).toEqual([
      keys[0],
      keys[4],
    ]);
    expect(await s.claimEntries('empty', { leaseMs: LONG })).toEqual([]);
    expect(await s.getEntry('outbox', keys[2]!)).toEqual({ k: keys[2] });
    expect(await s.getEntry('outbox', 'usage-sbx-absent')).toBeUndefined();
    await expect(s.claimEntries('outbox', { leaseMs: 0 })).rejects.toBeInstanceOf(SandboxerError);
    await expect(s.claimEntries('outbox', { leaseMs: LONG, keys: ['../x'] })).rejects.toBeInstanceOf(
      SandboxerError,
    );
  });
});
