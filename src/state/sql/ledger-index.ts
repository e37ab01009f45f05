import { DECIMAL_RE, toMicros } from '../../core/money.ts';

/**
 * A running balance of the credits ledger, kept by the SQL stores beside the `ledger` collection and updated in
 * the same transaction as each appended entry, so `Ledger.balance()` costs the same with 100 or 100,000
 * entries. It mirrors `computeBalance` (src/payments/ledger.ts): totals of grants and debits, and the open
 * holds — a hold stays open until a debit or a release without a ref closes its sandbox, or a release with its
 * ref voids it. Closures and voids are remembered, so entries arriving in any order give the same result.
 */
export const LEDGER_INDEX_COLLECTION = 'ledger';

export const LEDGER_INDEX_DDL = [
  `CREATE TABLE IF NOT EXISTS ledger_totals (
    id integer PRIMARY KEY,
    granted bigint NOT NULL,
    debited bigint NOT NULL,
    grants bigint NOT NULL
  )`,
  `CREATE TABLE IF NOT EXISTS ledger_holds (
    sandbox_id text NOT NULL,
    ref text NOT NULL,
    amount bigint NOT NULL,
    PRIMARY KEY (sandbox_id, ref)
  )`,
  'CREATE TABLE IF NOT EXISTS ledger_closed (sandbox_id text PRIMARY KEY)',
  'CREATE TABLE IF NOT EXISTS ledger_voided (sandbox_id text NOT NULL, ref text NOT NULL, PRIMARY KEY (sandbox_id, ref))',
];

export type SqlValue = string | number | null;
export interface Sql {
  sql: string;
  params: SqlValue[];
}

/** Start over from nothing (then every entry is applied again): a migration's backfill, or after a removal. */
export const LEDGER_RESET: Sql[] = [
  ...['ledger_totals', 'ledger_holds', 'ledger_closed', 'ledger_voided'].map((t) => ({
    sql: `DELETE FROM ${t}`,
    params: [],
  })),
  { sql: 'INSERT INTO ledger_totals (id, granted, debited, grants) VALUES (1, 0, 0, 0)', params: [] },
];

/** The statements applying one new ledger entry (in `?` placeholders); none for an entry it cannot read. */
export function ledgerStatements(value: unknown): Sql[] {
  const e = value as { kind?: unknown; amount_usd?: unknown; sandbox_id?: unknown; ref?: unknown };
  if (typeof e?.amount_usd !== 'string' || !DECIMAL_RE.test(e.amount_usd)) return [];
  // Micros as a decimal string: exact in both databases' bigint, whatever the amount.
  const amount = toMicros(e.amount_usd).toString();
  if (e.kind === 'grant')
    return [
      {
        sql: 'UPDATE ledger_totals SET granted = granted + ?, grants = grants + 1 WHERE id = 1',
        params: [amount],
      },
    ];
  if (typeof e.sandbox_id !== 'string') return [];
  const id = e.sandbox_id;
  const ref = typeof e.ref === 'string' ? e.ref : '';
  const close = [
    { sql: 'INSERT INTO ledger_closed (sandbox_id) VALUES (?) ON CONFLICT DO NOTHING', params: [id] },
    { sql: 'DELETE FROM ledger_holds WHERE sandbox_id = ?', params: [id] },
  ];
  switch (e.kind) {
    case 'debit':
      return [
        { sql: 'UPDATE ledger_totals SET debited = debited + ? WHERE id = 1', params: [amount] },
        ...close,
      ];
    case 'release':
      if (!ref) return close;
      return [
        {
          sql: 'INSERT INTO ledger_voided (sandbox_id, ref) VALUES (?, ?) ON CONFLICT DO NOTHING',
          params: [id, ref],
        },
        { sql: 'DELETE FROM ledger_holds WHERE sandbox_id = ? AND ref = ?', params: [id, ref] },
      ];
    case 'hold':
      return [
        {
          sql: `INSERT INTO ledger_holds (sandbox_id, ref, amount) SELECT ?, ?, ?
                WHERE NOT EXISTS (SELECT 1 FROM ledger_closed WHERE sandbox_id = ?)
                AND NOT EXISTS (SELECT 1 FROM ledger_voided WHERE sandbox_id = ? AND ref = ?)
                ON CONFLICT DO NOTHING`,
          params: [id, ref, amount, id, id, ref],
        },
      ];
    default:
      return [];
  }
}

export const LEDGER_SUMMARY_SQL = `SELECT t.granted AS granted, t.debited AS debited, t.grants AS grants,
  (SELECT COALESCE(SUM(amount), 0) FROM ledger_holds) AS held,
  (SELECT COUNT(DISTINCT sandbox_id) FROM ledger_holds) AS live
  FROM ledger_totals t WHERE t.id = 1`;

export interface LedgerSummary {
  granted: bigint;
  debited: bigint;
  held: bigint;
  liveHolds: number;
  hasGrants: boolean;
}

export function ledgerSummary(row: Record<string, unknown> | undefined): LedgerSummary | undefined {
  if (!row) return undefined;
  const big = (v: unknown) => BigInt(String(v ?? 0));
  return {
    granted: big(row.granted),
    debited: big(row.debited),
    held: big(row.held),
    liveHolds: Number(row.live ?? 0),
    hasGrants: big(row.grants) > 0n,
  };
}

/** `?` placeholders as PostgreSQL's `$1, $2, …`. */
export const dollarParams = (sql: string): string => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};
