import { SandboxerError } from '../core/errors.ts';
import { fromMicros, toMicros } from '../core/money.ts';
import type { LifecycleHooks } from '../events/hooks.ts';
import type { StateStore } from '../state/store.ts';
import { entryKey, Ledger } from './ledger.ts';

/**
 * Credits around the lifecycle: hold the estimate before provisioning (refusing when the balance cannot cover
 * it), debit the actual meter and release the hold once the sandbox settles. Only checked when credits are
 * configured (a grant exists or SANDBOXER_BUDGET_USD is set); otherwise spend is recorded but never refused.
 */
export class CreditsHooks implements LifecycleHooks {
  readonly name = 'credits';
  readonly ledger: Ledger;

  constructor(
    store: StateStore,
    private readonly env: NodeJS.ProcessEnv = {},
  ) {
    this.ledger = new Ledger(store);
  }

  async beforeProvision({ record }: Parameters<NonNullable<LifecycleHooks['beforeProvision']>>[0]) {
    const estimate = record.estimate_usd ? toMicros(record.estimate_usd) : 0n;
    if (estimate === 0n) return;
    // Reserve first, then verify: two creates racing for the last credits cannot both pass.
    const added = await this.ledger.hold(record, fromMicros(estimate));
    const balance = await this.ledger.balance(this.env);
    if (balance.balance_usd === undefined) return;
    const existing = added ? estimate : await this.heldFor(record.id);
    const before = toMicros(balance.balance_usd) + existing;
    if (before >= estimate) return;
    if (added) await this.ledger.release(record, fromMicros(estimate), 'refused: insufficient credits');
    throw new SandboxerError(
      'insufficient_credits',
      `credits balance $${fromMicros(before)} cannot cover the estimate $${fromMicros(estimate)} for ${record.id} on ${record.extension_id}`,
      {
        hint: "add credits with 'sandboxer credits add AMOUNT', raise SANDBOXER_BUDGET_USD, or ask for a shorter --ttl",
      },
    );
  }

  async onSettled({ record }: Parameters<NonNullable<LifecycleHooks['onSettled']>>[0]) {
    if (record.meter) await this.ledger.debit(record, record.meter.actual_usd);
    const held = await this.heldFor(record.id);
    if (held > 0n) await this.ledger.release(record, fromMicros(held), 'settled');
  }

  private async heldFor(sandboxId: string): Promise<bigint> {
    const rows = await this.ledger.entries();
    const hold = rows.find((r) => r.key === entryKey('hold', sandboxId));
    return hold ? toMicros(hold.entry.amount_usd) : 0n;
  }
}
