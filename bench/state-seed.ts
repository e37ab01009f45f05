// Fast seeding for the state benchmark: n settled sandboxes (a hold and a debit each, as a real history leaves
// them) and `live` live ones (a hold each), written in bulk — one transaction of batched multi-row inserts on the
// SQL stores (with the ledger's running balance written to match), the store's own calls on the others.
import { newSandboxId } from '../src/core/ids.ts';
import type { SandboxRecord } from '../src/core/record.ts';
import { entryKey, Ledger, type LedgerEntry } from '../src/payments/ledger.ts';
import { PostgresStateStore } from '../src/state/postgres/postgres-store.ts';
import { sandboxRow } from '../src/state/sql/schema.ts';
import { loadSqlite, SqliteStateStore } from '../src/state/sqlite/sqlite-store.ts';
import type { StateStore } from '../src/state/store.ts';
import { record } from '../tests/state/stores.ts';

const AMOUNT = '0.01';

function history(n: number, live: number) {
  const at = Date.now() - 86_400_000;
  const records: SandboxRecord[] = [];
  const entries: { key: string; value: LedgerEntry }[] = [];
  for (let i = 0; i < n + live; i++) {
    const created = new Date(at + i).toISOString();
    const isLive = i >= n;
    const r = record(newSandboxId(), {
      state: isLive ? 'ready' : 'destroyed',
      created_at: created,
      history: [
        { from: null, to: 'requested', at: created },
        ...(isLive ? [] : [{ from: 'requested' as const, to: 'destroyed' as const, at: created }]),
      ],
    });
    records.push(r);
    const entry = (kind: 'hold' | 'debit') => ({
      key: entryKey(kind, r.id),
      value: { kind, amount_usd: AMOUNT, at: created, sandbox_id: r.id, extension_id: r.extension_id },
    });
    entries.push(entry('hold'));
    if (!isLive) entries.push(entry('debit'));
  }
  return { records, entries };
}

export async function seed(store: StateStore, n: number, live: number): Promise<void> {
  await new Ledger(store).grant('1000000', { id: 'bench' });
  const { records, entries } = history(n, live);
  const settled = records.filter((r) => r.state === 'destroyed').map((r) => r.id);
  const holds = records.filter((r) => r.state === 'ready').map((r) => r.id);
  const debited = (BigInt(settled.length) * 10_000n).toString(); // 0.01 USD in micros each
  if (store instanceof PostgresStateStore) {
    const c = await store.openSession();
    try {
      await c.query('BEGIN');
      for (let i = 0; i < records.length; i += 5000) {
        const rows = records.slice(i, i + 5000).map(sandboxRow);
        await c.query(
          `INSERT INTO sandboxes (id, state, live, scope, created_at, revision, body)
           SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::bigint[], $7::text[])`,
          [
            rows.map((r) => r.id),
            rows.map((r) => r.state),
            rows.map((r) => r.live),
            rows.map((r) => r.scope),
            rows.map((r) => r.created_at),
            rows.map((r) => r.revision),
            rows.map((r) => r.body),
          ],
        );
      }
      for (let i = 0; i < entries.length; i += 5000) {
        const chunk = entries.slice(i, i + 5000);
        await c.query(
          `INSERT INTO collection_entries (collection, key, body)
           SELECT 'ledger', * FROM unnest($1::text[], $2::text[])`,
          [chunk.map((e) => e.key), chunk.map((e) => JSON.stringify(e.value))],
        );
      }
      await c.query('INSERT INTO ledger_closed (sandbox_id) SELECT unnest($1::text[])', [settled]);
      await c.query(
        "INSERT INTO ledger_holds (sandbox_id, ref, amount) SELECT unnest($1::text[]), '', 10000",
        [holds],
      );
      await c.query('UPDATE ledger_totals SET debited = debited + $1 WHERE id = 1', [debited]);
      await c.query('COMMIT');
      await c.query('ANALYZE');
    } finally {
      await c.end();
    }
    return;
  }
  if (store instanceof SqliteStateStore) {
    await store.listSandboxes(); // opened and migrated
    const db = new (loadSqlite()!.DatabaseSync)(store.file);
    try {
      db.exec('BEGIN IMMEDIATE');
      const ins = db.prepare(
        'INSERT INTO sandboxes (id, state, live, scope, created_at, revision, body) VALUES (?, ?, ?, ?, ?, ?, ?)',
      );
      for (const r of records.map(sandboxRow))
        ins.run(r.id, r.state, r.live, r.scope, r.created_at, r.revision, r.body);
      const entry = db.prepare(
        "INSERT INTO collection_entries (collection, key, body) VALUES ('ledger', ?, ?)",
      );
      for (const e of entries) entry.run(e.key, JSON.stringify(e.value));
      const closed = db.prepare('INSERT INTO ledger_closed (sandbox_id) VALUES (?)');
      for (const id of settled) closed.run(id);
      const hold = db.prepare("INSERT INTO ledger_holds (sandbox_id, ref, amount) VALUES (?, '', 10000)");
      for (const id of holds) hold.run(id);
      db.prepare('UPDATE ledger_totals SET debited = debited + ? WHERE id = 1').run(debited);
      db.exec('COMMIT');
      db.exec('ANALYZE');
    } finally {
      db.close();
    }
    return;
  }
  const bySandbox = new Map<string, typeof entries>();
  for (const e of entries)
    bySandbox.set(e.value.sandbox_id!, [...(bySandbox.get(e.value.sandbox_id!) ?? []), e]);
  const jobs = records.map((r) => async () => {
    await store.createSandbox(r);
    for (const e of bySandbox.get(r.id) ?? []) await store.appendOnce('ledger', e.key, e.value);
  });
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (let job = jobs.shift(); job; job = jobs.shift()) await job();
    }),
  );
}
