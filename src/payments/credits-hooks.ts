import { SandboxerError } from '../core/errors.ts';
import { fromMicros, toMicros } from '../core/money.ts';
import type { LifecycleHooks } from '../events/hooks.ts';
import type { StateStore } from '../state/store.ts';
import type { SandboxRecord } from '../core/record.ts';
import { Ledger } from './ledger.ts';

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
    await this.reserve(record, record.estimate_usd, undefined, 'or ask for a shorter --ttl');
  }

  /** An extend-ttl holds the cost of the added time through the same balance and budget check as a create. */
  async beforeExtend({
    record,
    estimate_usd,
    ref,
  }: Parameters<NonNullable<LifecycleHooks['beforeExtend']>>[0]) {
    await this.reserve(record, estimate_usd, ref, 'or extend by less');
  }

  /** Reserve first, then verify: two creates (or extends) racing for the last credits cannot both pass. */
  private async reserve(
    record: SandboxRecord,
    amountUsd: string | undefined,
    ref: string | undefined,
    orElse: string,
  ): Promise<void> {
    const estimate = amountUsd ? toMicros(amountUsd) : 0n;
    if (estimate === 0n) return;
    const added = await this.ledger.hold(record, fromMicros(estimate), ref);
    const balance = await this.ledger.balance(this.env);
    if (balance.balance_usd === undefined) return;
    // A retried reservation already counted in the balance: add back only what this one holds.
    const before =
      toMicros(balance.balance_usd) + (added || ref ? estimate : await this.ledger.heldFor(record.id));
    if (before >= estimate) return;
    if (added) await this.ledger.release(record, fromMicros(estimate), 'refused: insufficient credits', ref);
    throw new SandboxerError(
      'insufficient_credits',
      `credits balance $${fromMicros(before)} cannot cover the estimate $${fromMicros(estimate)} for ${ref ? `extending ${record.id}` : record.id} on ${record.extension_id}`,
      { hint: `add credits with 'sandboxer credits add AMOUNT', raise SANDBOXER_BUDGET_USD, ${orElse}` },
    );
  }

  async onSettled({ record }: Parameters<NonNullable<LifecycleHooks['onSettled']>>[0]) {
    const held = await this.ledger.heldFor(record.id); // before the debit, which closes the holds
    if (record.meter) await this.ledger.debit(record, record.meter.actual_usd);
    if (held > 0n) await this.ledger.release(record, fromMicros(held), 'settled');
  }
}
