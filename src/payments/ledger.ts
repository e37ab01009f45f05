import { randomBytes } from 'node:crypto';
import * as z from 'zod';
import { SandboxerError, shown, usageError } from '../core/errors.ts';
import { DECIMAL_RE, fromMicros, toMicros } from '../core/money.ts';
import { isTerminal } from '../core/lifecycle.ts';
import type { SandboxRecord } from '../core/record.ts';
import type { LedgerSummary } from '../state/sql/ledger-index.ts';
import type { StateStore } from '../state/store.ts';

export const LEDGER_COLLECTION = 'ledger';

export const LedgerKind = z.enum(['grant', 'hold', 'debit', 'release']);
export type LedgerKind = z.infer<typeof LedgerKind>;

/**
 * One immutable ledger entry. Holds, debits and releases are keyed by (kind, sandbox id), grants by their own id,
 * so a retried or concurrent write of the same fact is a no-op (the store's appendOnce refuses the second).
 */
export const LedgerEntry = z
  .object({
    kind: LedgerKind,
    amount_usd: z.string().regex(DECIMAL_RE),
    at: z.string().datetime({ offset: true }),
    sandbox_id: z.string().optional(),
    extension_id: z.string().optional(),
    grant_id: z.string().optional(),
    /**
     * A hold with a ref is one more reservation for the same sandbox (an extend-ttl); a release with a ref voids
     * only that hold. A release without one (and a debit) closes every hold of the sandbox.
     */
    ref: z.string().optional(),
    note: z.string().optional(),
  })
  .strict();
export type LedgerEntry = z.infer<typeof LedgerEntry>;

export const BalanceMode = z.enum(['unlimited', 'budget', 'ledger']);

export const Balance = z
  .object({
    /** `unlimited` until a grant exists or SANDBOXER_BUDGET_USD is set: then creates are checked. */
    mode: BalanceMode,
    granted_usd: z.string(),
    budget_usd: z.string().optional(),
    debited_usd: z.string(),
    held_usd: z.string(),
    live_holds: z.number().int().nonnegative(),
    /** grants + budget − debits − live holds; absent when unlimited. */
    balance_usd: z.string().optional(),
  })
  .strict();
export type Balance = z.infer<typeof Balance>;

const GRANT_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const entryKey = (kind: Exclude<LedgerKind, 'grant'>, sandboxId: string, ref?: string): string =>
  ref ? `${kind}.${sandboxId}.${ref}` : `${kind}.${sandboxId}`;

/** SANDBOXER_BUDGET_USD: a spending ceiling added to the grants of this state store (per run in Actions). */
export function budgetFromEnv(env: NodeJS.ProcessEnv): bigint | undefined {
  const raw = env.SANDBOXER_BUDGET_USD?.trim();
  if (!raw) return undefined;
  if (!DECIMAL_RE.test(raw))
    throw new SandboxerError('validation', `SANDBOXER_BUDGET_USD ${shown(raw)} is not a decimal amount`, {
      hint: 'set it to a non-negative amount in dollars, e.g. SANDBOXER_BUDGET_USD=5 or 0.50',
    });
  return toMicros(raw);
}

/** Parse a user-given positive dollar amount (`credits add 10`, `$2.50`). */
export function parseAmount(input: string): string {
  const raw = input.trim().replace(/^\$/, '');
  if (!DECIMAL_RE.test(raw) || toMicros(raw) <= 0n)
    throw usageError(`'${input}' is not a positive amount`, 'give dollars as a decimal, e.g. 10 or 2.50');
  return fromMicros(toMicros(raw));
}

/**
 * The credits ledger: append-only entries in the state store. Balance = grants (+ budget) − debits − live holds,
 * where a hold is live until a debit or a release for the same sandbox exists. Nothing is ever rewritten, so
 * concurrent processes cannot lose an update.
 */
export class Ledger {
  constructor(
    readonly store: StateStore,
    private readonly now: () => string = () => new Date().toISOString(),
  ) {}

  /** Every entry, or with key prefixes only theirs (an indexed range read on the SQL stores). */
  async entries(prefixes?: string[]): Promise<{ key: string; entry: LedgerEntry }[]> {
    const read = this.store.readCollectionPrefix?.bind(this.store);
    const rows =
      prefixes && read
        ? (await Promise.all(prefixes.map((p) => read(LEDGER_COLLECTION, p)))).flat()
        : await this.store.readCollection(LEDGER_COLLECTION);
    const out: { key: string; entry: LedgerEntry }[] = [];
    for (const { key, value } of rows) {
      const parsed = LedgerEntry.safeParse(value);
      if (!parsed.success)
        throw new SandboxerError(
          'state_store',
          `ledger entry ${key} in ${this.store.location} is malformed`,
          {
            hint: 'it was edited by hand or written by an incompatible version; move it aside to continue',
          },
        );
      out.push({ key, entry: parsed.data });
    }
    return out.sort((a, b) => a.entry.at.localeCompare(b.entry.at) || a.key.localeCompare(b.key));
  }

  /** Add credits. With an id the grant is idempotent (a retried `credits add --id X` adds once). */
  async grant(
    amountUsd: string,
    opts: { id?: string; note?: string } = {},
  ): Promise<{ added: boolean; id: string }> {
    const id = opts.id ?? `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
    if (!GRANT_ID_RE.test(id))
      throw usageError(
        `grant id '${id}' is not valid`,
        'use letters, digits, dot, dash or underscore (max 64)',
      );
    const added = await this.store.appendOnce(LEDGER_COLLECTION, `grant.${id}`, {
      kind: 'grant',
      amount_usd: parseAmount(amountUsd),
      at: this.now(),
      grant_id: id,
      ...(opts.note ? { note: opts.note } : {}),
    } satisfies LedgerEntry);
    return { added, id };
  }

  /** Reserve the estimate of a sandbox (or, with a ref, of one extension of it); false when it already exists. */
  hold(record: SandboxRecord, amountUsd: string, ref?: string): Promise<boolean> {
    return this.append('hold', record, amountUsd, undefined, ref);
  }

  /** Post the actual cost of a settled sandbox; false when it was already debited. */
  debit(record: SandboxRecord, amountUsd: string): Promise<boolean> {
    return this.append('debit', record, amountUsd);
  }

  /** Void the holds of a sandbox (refused create, failed provisioning, or settled), or with a ref that one. */
  release(record: SandboxRecord, amountUsd: string, note?: string, ref?: string): Promise<boolean> {
    return this.append('release', record, amountUsd, note, ref);
  }

  /** What is still held for one sandbox (every live hold of it). */
  async heldFor(sandboxId: string): Promise<bigint> {
    const own = await this.entries(['hold', 'debit', 'release'].map((k) => `${k}.${sandboxId}`));
    return liveHolds(own.map((e) => e.entry).filter((e) => e.sandbox_id === sandboxId)).get(sandboxId) ?? 0n;
  }

  private append(
    kind: Exclude<LedgerKind, 'grant'>,
    record: SandboxRecord,
    amountUsd: string,
    note?: string,
    ref?: string,
  ): Promise<boolean> {
    return this.store.appendOnce(LEDGER_COLLECTION, entryKey(kind, record.id, ref), {
      kind,
      amount_usd: fromMicros(toMicros(amountUsd)),
      at: this.now(),
      sandbox_id: record.id,
      extension_id: record.extension_id,
      ...(ref ? { ref } : {}),
      ...(note ? { note } : {}),
    } satisfies LedgerEntry);
  }

  async balance(env: NodeJS.ProcessEnv = {}): Promise<Balance> {
    const summary = await this.store.ledgerSummary?.();
    if (summary) return balanceOf(summary, budgetFromEnv(env));
    return computeBalance(
      (await this.entries()).map((e) => e.entry),
      budgetFromEnv(env),
    );
  }

  /**
   * Settle what a crash left half-done: a terminal sandbox with a meter but no debit gets its debit, and a
   * terminal sandbox's live hold is released. Idempotent; returns how many entries it wrote.
   */
  async reconcile(records: SandboxRecord[]): Promise<number> {
    const all = await this.entries();
    const keys = new Set(all.map((e) => e.key));
    const holds = new Map(
      all.filter((e) => e.entry.kind === 'hold').map((e) => [e.entry.sandbox_id!, e.entry]),
    );
    let wrote = 0;
    for (const r of records) {
      if (!isTerminal(r.state)) continue;
      if (r.meter && !keys.has(entryKey('debit', r.id)) && (await this.debit(r, r.meter.actual_usd))) wrote++;
      const hold = holds.get(r.id);
      if (
        hold &&
        !keys.has(entryKey('release', r.id)) &&
        (await this.release(r, hold.amount_usd, 'reconciled'))
      )
        wrote++;
    }
    return wrote;
  }
}

/** Per sandbox, the sum of its holds that no debit or release has closed. */
function liveHolds(entries: LedgerEntry[]): Map<string, bigint> {
  const holds = new Map<string, bigint>();
  const closed = new Set<string>();
  const voided = new Set<string>();
  for (const e of entries) {
    if (e.kind === 'debit' || (e.kind === 'release' && !e.ref)) closed.add(e.sandbox_id!);
    else if (e.kind === 'release') voided.add(`${e.sandbox_id!}\0${e.ref}`);
  }
  for (const e of entries) {
    if (e.kind !== 'hold' || closed.has(e.sandbox_id!)) continue;
    if (e.ref && voided.has(`${e.sandbox_id!}\0${e.ref}`)) continue;
    holds.set(e.sandbox_id!, (holds.get(e.sandbox_id!) ?? 0n) + toMicros(e.amount_usd));
  }
  return holds;
}

export function computeBalance(entries: LedgerEntry[], budget: bigint | undefined): Balance {
  let granted = 0n;
  let debited = 0n;
  for (const e of entries) {
    if (e.kind === 'grant') granted += toMicros(e.amount_usd);
    else if (e.kind === 'debit') debited += toMicros(e.amount_usd);
  }
  const holds = liveHolds(entries);
  let held = 0n;
  for (const amount of holds.values()) held += amount;
  const hasGrants = entries.some((e) => e.kind === 'grant');
  return balanceOf({ granted, debited, held, liveHolds: holds.size, hasGrants }, budget);
}

/** The balance from its totals: computed from the entries, or kept running by a SQL store. */
export function balanceOf(
  { granted, debited, held, liveHolds: live, hasGrants }: LedgerSummary,
  budget: bigint | undefined,
): Balance {
  const mode = hasGrants ? 'ledger' : budget !== undefined ? 'budget' : 'unlimited';
  return {
    mode,
    granted_usd: fromMicros(granted),
    ...(budget !== undefined ? { budget_usd: fromMicros(budget) } : {}),
    debited_usd: fromMicros(debited),
    held_usd: fromMicros(held),
    live_holds: live,
    ...(mode === 'unlimited' ? {} : { balance_usd: fromMicros(granted + (budget ?? 0n) - debited - held) }),
  };
}
