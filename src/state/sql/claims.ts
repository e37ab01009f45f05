import type { Claim, ClaimHolder } from '../store.ts';

/**
 * Claims on collection entries, shared by the SQL stores (schema migration 4): who holds an entry
 * (`claim_token`, `claim_owner`) and until when (`claim_until`, epoch milliseconds — the database server's clock
 * in PostgreSQL, so replicas on hosts with skewed clocks agree on when a lease ends). An entry is claimable when
 * `claim_until` is NULL or past. Removing the entry ends its claim with it.
 */
export const CLAIM_COLUMNS_DDL = [
  'ALTER TABLE collection_entries ADD COLUMN claim_token text',
  'ALTER TABLE collection_entries ADD COLUMN claim_owner text',
  'ALTER TABLE collection_entries ADD COLUMN claim_until bigint',
];

export interface ClaimRow {
  key: string;
  body: string;
  claim_token: string;
  claim_owner: string;
  claim_until: number | string | bigint;
}

export const claimOf = (r: ClaimRow): Claim => ({
  key: String(r.key),
  value: JSON.parse(String(r.body)) as unknown,
  token: String(r.claim_token),
  expires_at: new Date(Number(r.claim_until)).toISOString(),
});

export const holderOf = (r: Omit<ClaimRow, 'body'>): ClaimHolder => ({
  key: String(r.key),
  token: String(r.claim_token),
  owner: String(r.claim_owner),
  expires_at: new Date(Number(r.claim_until)).toISOString(),
});
