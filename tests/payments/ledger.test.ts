import { afterAll, describe, expect, it } from 'vitest';
import type { SandboxRecord } from '../../src/core/record.ts';
import { computeBalance, Ledger, parseAmount } from '../../src/payments/ledger.ts';
import { FileStateStore } from '../../src/state/file/file-store.ts';
import { MemoryStateStore } from '../../src/state/memory/memory-store.ts';
import { tempDir } from '../helpers/env.ts';

const tmp = tempDir('sbx-ledger-');
afterAll(() => tmp.cleanup());

const rec = (n: number, state: SandboxRecord['state'] = 'ready', meter?: string): SandboxRecord => ({
  id: `sbx-${String(n).padStart(12, 'a')}`,
  revision: 0,
  profile_id: 'profile.saas-stub',
  profile_version: '1.0.0',
  extension_id: 'ext.saas-stub',
  state,
  placement: {},
  handle: {},
  inputs: {},
  resources: { cpu: 1, memory_mib: 512, disk_gib: 1, gpu_count: 0 } as SandboxRecord['resources'],
  labels: {},
  owner: { scope: 'test' },
  created_at: '2026-01-01T00:00:00.000Z',
  config: {},
  history: [],
  ...(meter
    ? {
        meter: {
          duration_s: 60,
          actual_usd: meter,
          started_at: '2026-01-01T00:00:00.000Z',
          ended_at: '2026-01-01T00:01:00.000Z',
          pricing: { model: 'metered' },
        },
      }
    : {}),
});

describe('credits ledger', () => {
  it('adds an extension hold (with a ref) to the create hold; a release with the ref voids only that one', async () => {
    const ledger = new Ledger(new MemoryStateStore());
    await ledger.grant('10');
    const r = rec(7);
    await ledger.hold(r, '1');
    expect(await ledger.hold(r, '2', 'extend-1')).toBe(true);
    expect(await ledger.hold(r, '2', 'extend-1')).toBe(false); // idempotent per ref
    await ledger.hold(r, '0.5', 'extend-2');
    expect((await ledger.balance()).held_usd).toBe('3.500000');
    expect((await ledger.balance()).live_holds).toBe(1); // one sandbox
    await ledger.release(r, '2', 'refused', 'extend-1');
    expect(await ledger.heldFor(r.id)).toBe(1_500_000n);
    await ledger.debit(r, '0.25'); // settling closes every hold of the sandbox
    expect(await ledger.balance()).toMatchObject({ held_usd: '0.000000', balance_usd: '9.750000' });
  });

  it('is unlimited until a grant or a budget exists, and computes grants − debits − live holds', async () => {
    const ledger = new Ledger(new MemoryStateStore());
    expect((await ledger.balance()).mode).toBe('unlimited');
    expect((await ledger.balance()).balance_usd).toBeUndefined();
    expect((await ledger.balance({ SANDBOXER_BUDGET_USD: '2' })).balance_usd).toBe('2.000000');

    await ledger.grant('10');
    await ledger.hold(rec(1), '0.5');
    await ledger.hold(rec(2), '0.25');
    let b = await ledger.balance();
    expect(b).toMatchObject({ mode: 'ledger', held_usd: '0.750000', live_holds: 2, balance_usd: '9.250000' });

    await ledger.debit(rec(1), '0.123456');
    await ledger.release(rec(1), '0.5');
    await ledger.release(rec(2), '0.25');
    b = await ledger.balance({ SANDBOXER_BUDGET_USD: '1.5' });
    expect(b).toMatchObject({
      debited_usd: '0.123456',
      held_usd: '0.000000',
      live_holds: 0,
      budget_usd: '1.500000',
      balance_usd: '11.376544',
    });
  });

  it('writes at most one entry per (kind, sandbox): retries are no-ops', async () => {
    const ledger = new Ledger(new MemoryStateStore());
    expect(await ledger.debit(rec(3), '1')).toBe(true);
    expect(await ledger.debit(rec(3), '1')).toBe(false);
    expect(await ledger.hold(rec(3), '2')).toBe(true);
    expect(await ledger.hold(rec(3), '5')).toBe(false);
    const g1 = await ledger.grant('3', { id: 'invoice-7' });
    const g2 = await ledger.grant('3', { id: 'invoice-7' });
    expect([g1.added, g2.added]).toEqual([true, false]);
    const b = await ledger.balance();
    expect(b.debited_usd).toBe('1.000000');
    expect(b.granted_usd).toBe('3.000000');
    // a hold with a debit for the same sandbox is no longer live
    expect(b.live_holds).toBe(0);
  });

  it('loses no update when many processes write the same file ledger at once', async () => {
    // Separate store instances on one directory behave like separate processes (exclusive file creation).
    const ledgers = Array.from({ length: 8 }, () => new Ledger(new FileStateStore(tmp.dir)));
    const writes = [];
    for (let i = 0; i < 40; i++) {
      for (const l of ledgers.slice(0, 3)) writes.push(l.debit(rec(100 + i), '0.01'));
      writes.push(ledgers[i % 8]!.grant('1'));
    }
    const results = await Promise.all(writes);
    expect(results.filter((r) => r === true).length).toBe(40); // one debit per sandbox won
    const b = await new Ledger(new FileStateStore(tmp.dir)).balance();
    expect(b.granted_usd).toBe('40.000000');
    expect(b.debited_usd).toBe('0.400000');
    expect(b.balance_usd).toBe('39.600000');
  });

  it('reconcile debits settled sandboxes a crash left without a debit and releases their holds', async () => {
    const ledger = new Ledger(new MemoryStateStore());
    await ledger.grant('1');
    await ledger.hold(rec(7), '0.3');
    await ledger.hold(rec(8), '0.3');
    const wrote = await ledger.reconcile([rec(7, 'destroyed', '0.05'), rec(8, 'ready')]);
    expect(wrote).toBe(2);
    expect(await ledger.reconcile([rec(7, 'destroyed', '0.05'), rec(8, 'ready')])).toBe(0);
    const b = await ledger.balance();
    expect(b).toMatchObject({ debited_usd: '0.050000', live_holds: 1, balance_usd: '0.650000' });
  });

  it('parses amounts as decimals and refuses anything else with a usage error', async () => {
    expect(parseAmount('$2.5')).toBe('2.500000');
    expect(() => parseAmount('abc')).toThrow(/not a positive amount/);
    expect(() => parseAmount('0')).toThrow(/not a positive amount/);
    expect(() => parseAmount('-1')).toThrow(/not a positive amount/);
    await expect(
      new Ledger(new MemoryStateStore()).balance({ SANDBOXER_BUDGET_USD: 'lots' }),
    ).rejects.toThrow(/SANDBOXER_BUDGET_USD/);
    expect(computeBalance([], 0n).balance_usd).toBe('0.000000');
  });
});
