import { afterAll, describe, expect, it } from 'vitest';
import { SandboxerError } from '../../src/core/errors.ts';
import { toMicros, fromMicros } from '../../src/core/money.ts';
import { CreditsHooks } from '../../src/payments/credits-hooks.ts';
import { Ledger } from '../../src/payments/ledger.ts';
import { tempDir } from '../helpers/env.ts';
import { stubManager } from './harness.ts';

const dirs: { cleanup(): void }[] = [];
const fresh = () => {
  const t = tempDir('sbx-credits-');
  dirs.push(t);
  return t.dir;
};
afterAll(() => dirs.forEach((d) => d.cleanup()));

function creditsManager(dir: string, env: NodeJS.ProcessEnv = {}) {
  const { store } = stubManager(dir, []);
  const hooks = new CreditsHooks(store, env);
  return { ...stubManager(dir, [hooks], env), ledger: hooks.ledger };
}

describe('credits around the lifecycle (saas-stub, file store)', () => {
  it('holds the estimate at create, debits the actual meter at destroy and releases the hold', async () => {
    const { manager, ledger } = creditsManager(fresh());
    await ledger.grant('1');
    const r = await manager.create({ profileId: 'profile.saas-stub', ttl: '10m' });
    expect(r.estimate_usd).toBe('0.030000'); // 600 s × $0.00005
    let b = await ledger.balance();
    expect(b).toMatchObject({ held_usd: '0.030000', live_holds: 1, balance_usd: '0.970000' });

    const done = await manager.destroy(r.id);
    // the meter on the record: duration, actual cost as a decimal string, and the pricing used
    expect(done.meter).toMatchObject({ duration_s: expect.any(Number), actual_usd: '0.003000' });
    expect(done.meter!.pricing).toMatchObject({ model: 'metered', per_second_usd: '0.00005' });
    b = await ledger.balance();
    expect(b).toMatchObject({ debited_usd: '0.003000', live_holds: 0, balance_usd: '0.997000' });
    const kinds = (await ledger.entries()).map((e) => e.entry.kind);
    expect(kinds.sort()).toEqual(['debit', 'grant', 'hold', 'release']);
  });

  it('refuses a create the balance cannot cover, naming balance and estimate, and keeps nothing held', async () => {
    const { manager, ledger } = creditsManager(fresh());
    await ledger.grant('0.01');
    const err = await manager.create({ profileId: 'profile.saas-stub', ttl: '1h' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SandboxerError);
    const e = err as SandboxerError;
    expect(e.code).toBe('insufficient_credits');
    expect(e.message).toContain('$0.010000');
    expect(e.message).toContain('$0.180000');
    expect(e.hint).toMatch(/credits add/);
    const [record] = await manager.list();
    expect(record!.state).toBe('failed');
    expect(record!.handle).toEqual({}); // nothing was provisioned
    expect(await ledger.balance()).toMatchObject({ live_holds: 0, balance_usd: '0.010000' });
  });

  it('with a per-run budget (SANDBOXER_BUDGET_USD) refuses past the budget', async () => {
    const { manager } = creditsManager(fresh(), { SANDBOXER_BUDGET_USD: '0.05' });
    const ok = await manager.create({ profileId: 'profile.saas-stub', ttl: '10m' }); // holds 0.03
    await expect(manager.create({ profileId: 'profile.saas-stub', ttl: '10m' })).rejects.toMatchObject({
      code: 'insufficient_credits',
    });
    await manager.destroy(ok.id); // debits 0.003, frees the hold
    const again = await manager.create({ profileId: 'profile.saas-stub', ttl: '10m' });
    expect(again.state).toBe('ready');
  });

  it('records spend without refusing anything while unlimited', async () => {
    const { manager, ledger } = creditsManager(fresh());
    const r = await manager.create({ profileId: 'profile.saas-stub', ttl: '24h' });
    expect(r.state).toBe('ready');
    expect(await ledger.balance()).toMatchObject({ mode: 'unlimited', live_holds: 1 });
    await manager.destroy(r.id);
    expect(await ledger.balance()).toMatchObject({ debited_usd: '0.003000', live_holds: 0 });
  });

  it('concurrent creates racing for the last credits never overdraw', async () => {
    const dir = fresh();
    const managers = Array.from({ length: 3 }, () => creditsManager(dir));
    await managers[0]!.ledger.grant('0.05'); // covers one 10-minute hold (0.03), not two
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) =>
        managers[i % 3]!.manager.create({ profileId: 'profile.saas-stub', ttl: '10m' }),
      ),
    );
    const ok = results.filter((r) => r.status === 'fulfilled');
    expect(ok.length).toBeLessThanOrEqual(1);
    for (const r of results)
      if (r.status === 'rejected') expect((r.reason as SandboxerError).code).toBe('insufficient_credits');
    const b = await managers[0]!.ledger.balance();
    expect(toMicros(b.balance_usd!)).toBeGreaterThanOrEqual(0n);
    expect(b.live_holds).toBe(ok.length);
  });

  it('20 concurrent destroys produce 20 debits, no more (also when each is destroyed twice)', async () => {
    const dir = fresh();
    const managers = Array.from({ length: 4 }, () => creditsManager(dir));
    await managers[0]!.ledger.grant('5');
    const created = [];
    for (let i = 0; i < 20; i++)
      created.push(await managers[i % 4]!.manager.create({ profileId: 'profile.saas-stub', ttl: '5m' }));
    // every sandbox is destroyed by two processes at once
    const results = await Promise.allSettled(
      created.flatMap((r, i) => [
        managers[i % 4]!.manager.destroy(r.id),
        managers[(i + 1) % 4]!.manager.destroy(r.id),
      ]),
    );
    const failures = results.filter((r) => r.status === 'rejected');
    expect(failures.map((f) => String((f as PromiseRejectedResult).reason))).toEqual([]);
    const ledger = new Ledger(managers[0]!.store);
    const debits = (await ledger.entries()).filter((e) => e.entry.kind === 'debit');
    expect(debits.length).toBe(20);
    expect(new Set(debits.map((d) => d.entry.sandbox_id)).size).toBe(20);
    const records = await managers[0]!.manager.list({ state: ['destroyed'] });
    expect(records.length).toBe(20);
    const metered = records.reduce((s, r) => s + toMicros(r.meter!.actual_usd), 0n);
    const b = await ledger.balance();
    expect(b.debited_usd).toBe(fromMicros(metered));
    expect(b.balance_usd).toBe(fromMicros(toMicros('5') - metered));
    expect(b.live_holds).toBe(0);
  });
});
