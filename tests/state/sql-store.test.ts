import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { newSnapshotId } from '../../src/core/ids.ts';
import { Ledger } from '../../src/payments/ledger.ts';
import { FileStateStore } from '../../src/state/file/file-store.ts';
import { importFileState } from '../../src/state/migrate.ts';
import { SCHEMA_VERSION } from '../../src/state/sql/schema.ts';
import { SqliteStateStore } from '../../src/state/sqlite/sqlite-store.ts';
import { cli, json } from '../helpers/cli.ts';
import { tempDir } from '../helpers/env.ts';
import { startPg, type PgServer } from './pg-server.ts';
import { HAVE_PG, HAVE_SQLITE, record } from './stores.ts';

const tmp = tempDir('sbx-sql-');
let pg: PgServer | undefined;
afterAll(() => {
  pg?.stop();
  tmp.cleanup();
});

/** A file store with two records (one updated), a snapshot and ledger entries: what an older sandboxer left. */
async function fileState(dir: string) {
  const fs = new FileStateStore(dir);
  const a = record();
  const b = record(undefined, { created_at: '2025-06-01T00:00:00.000Z' });
  await fs.createSandbox(a);
  await fs.createSandbox(b);
  await fs.updateSandbox(a.id, (c) => ({ ...c, state: 'provisioning' }));
  const snap = {
    id: newSnapshotId(),
    sandbox_id: a.id,
    profile_id: a.profile_id,
    extension_id: a.extension_id,
    created_at: new Date().toISOString(),
    state: 'available' as const,
    handle: {},
  };
  await fs.putSnapshot(snap);
  const ledger = new Ledger(fs);
  await ledger.grant('10', { id: 'g1' });
  await ledger.hold(a, '0.25');
  await fs.appendOnce('outbox', 'usage.x', { id: 'usage.x' });
  return { fs, a, b, snap };
}

describe.skipIf(!HAVE_SQLITE)('SQLite state store', () => {
  it('records its schema version, keeps the database private, and refuses a newer schema', async () => {
    const file = join(tmp.dir, 'v', 'state.db');
    const s = new SqliteStateStore(file);
    await s.createSandbox(record());
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(tmp.dir, 'v')).mode & 0o777).toBe(0o700);
    await s.close();
    const { DatabaseSync } = process.getBuiltinModule('node:sqlite' as never) as {
      DatabaseSync: new (f: string) => { exec(s: string): void; close(): void };
    };
    const raw = new DatabaseSync(file);
    raw.exec(`INSERT INTO schema_version VALUES (${SCHEMA_VERSION + 1}, 'from the future', 'now')`);
    raw.exec("UPDATE sandboxes SET body = '{ not json'");
    raw.close();
    await expect(new SqliteStateStore(file).listSandboxes()).rejects.toMatchObject({
      code: 'state_store',
      message: expect.stringContaining(`schema version ${SCHEMA_VERSION + 1}`),
    });
  });

  it('a damaged row gives a clear error naming the record and the database', async () => {
    const file = join(tmp.dir, 'damaged.db');
    const s = new SqliteStateStore(file);
    const r = record();
    await s.createSandbox(r);
    const { DatabaseSync } = process.getBuiltinModule('node:sqlite' as never) as {
      DatabaseSync: new (f: string) => { exec(s: string): void; close(): void };
    };
    const raw = new DatabaseSync(file);
    raw.exec("UPDATE sandboxes SET body = '{ not json'");
    raw.close();
    await expect(s.getSandbox(r.id)).rejects.toMatchObject({
      code: 'state_store',
      message: expect.stringMatching(new RegExp(`sandbox ${r.id} in .*damaged\\.db`)),
    });
  });

  it('imports a file store once: records, snapshots and collections; a rerun changes nothing', async () => {
    const dir = join(tmp.dir, 'import');
    const { fs, a, b, snap } = await fileState(dir);
    const db = new SqliteStateStore(join(dir, 'state.db'));
    const first = await importFileState(dir, db);
    expect(first).toMatchObject({
      sandboxes: { imported: 2, updated: 0, unchanged: 0 },
      snapshots: 1,
      entries: { imported: 3, unchanged: 0 },
    });
    expect(await db.listSandboxes()).toEqual(await fs.listSandboxes());
    expect((await db.listSandboxes()).map((r) => r.id)).toEqual([b.id, a.id]);
    expect(await db.getSnapshot(snap.id)).toEqual(snap);
    expect(await new Ledger(db).balance({})).toEqual(await new Ledger(fs).balance({}));
    expect(await db.readCollection('outbox')).toEqual(await fs.readCollection('outbox'));

    const again = await importFileState(dir, db);
    expect(again).toMatchObject({
      sandboxes: { imported: 0, updated: 0, unchanged: 2 },
      entries: { unchanged: 3 },
    });
    expect(await db.getSandbox(a.id)).toEqual(await fs.getSandbox(a.id));

    // The file store used again (SANDBOXER_STATE_BACKEND=file): the newer revision wins on the next import.
    await fs.updateSandbox(a.id, (c) => ({ ...c, state: 'ready' }));
    const third = await importFileState(dir, db);
    expect(third.sandboxes).toEqual({ imported: 0, updated: 1, unchanged: 1 });
    expect(await db.getSandbox(a.id)).toEqual(await fs.getSandbox(a.id));
  });

  it('the CLI warns about file-store state not imported until `state migrate` ran', async () => {
    const dir = join(tmp.dir, 'cli');
    const { a } = await fileState(dir);
    const env = { SANDBOXER_STATE_DIR: dir, SANDBOXER_STUB_DIR: join(tmp.dir, 'cli-stub') };
    const before = await cli(['list', '--json'], env);
    expect(before.stderr).toContain("run 'sandboxer state migrate'");
    expect(json<unknown[]>(before)).toEqual([]);
    const migrated = await cli(['state', 'migrate', '--json'], env);
    expect(json(migrated)).toMatchObject({ sandboxes: { imported: 2 }, entries: { imported: 3 } });
    const after = await cli(['list', '--json'], env);
    expect(after.stderr).not.toContain('state migrate');
    expect(json<{ id: string }[]>(after).map((r) => r.id)).toContain(a.id);
    const info = json<{ kind: string; records: number }>(await cli(['state', 'info', '--json'], env));
    expect(info).toMatchObject({ kind: 'sqlite', records: 2 });
  });
});

describe.skipIf(!HAVE_SQLITE || !HAVE_PG)('state migrate into PostgreSQL (--state-url)', () => {
  it('imports the file store into Postgres, once', { timeout: 120_000 }, async () => {
    pg = await startPg();
    const url = pg.database('migrate');
    const dir = join(tmp.dir, 'to-pg');
    const { a, b } = await fileState(dir);
    const env = { SANDBOXER_STATE_DIR: dir };
    const first = await cli(['state', 'migrate', '--state-url', url, '--json'], env);
    expect(json(first)).toMatchObject({ sandboxes: { imported: 2 }, entries: { imported: 3 } });
    expect(json<{ to: string }>(first).to).toContain('127.0.0.1');
    const again = await cli(['state', 'migrate', '--state-url', url, '--json'], env);
    expect(json(again)).toMatchObject({ sandboxes: { imported: 0, unchanged: 2 }, entries: { imported: 0 } });
    const listed = json<{ id: string }[]>(await cli(['list', '--json', '--state-url', url], env));
    expect(listed.map((r) => r.id)).toEqual([b.id, a.id]);
  });
});

describe.skipIf(!HAVE_SQLITE)('SQLite schema migrations', () => {
  it('migration 2 builds the running ledger balance from the entries a version-1 database holds', async () => {
    const file = join(tmp.dir, 'v1.db');
    const s = new SqliteStateStore(file);
    const r = record();
    const ledger = new Ledger(s);
    await ledger.grant('5', { id: 'g' });
    await ledger.hold(r, '1');
    await s.close();
    const { DatabaseSync } = process.getBuiltinModule('node:sqlite' as never) as {
      DatabaseSync: new (f: string) => { exec(s: string): void; close(): void };
    };
    const raw = new DatabaseSync(file); // back to version 1: no running balance
    raw.exec('DELETE FROM schema_version WHERE version >= 2');
    for (const t of ['ledger_totals', 'ledger_holds', 'ledger_closed', 'ledger_voided'])
      raw.exec(`DROP TABLE ${t}`);
    for (const c of ['claim_token', 'claim_owner', 'claim_until'])
      raw.exec(`ALTER TABLE collection_entries DROP COLUMN ${c}`); // migration 4's columns
    raw.close();
    const reopened = new SqliteStateStore(file);
    expect(await reopened.ledgerSummary()).toEqual({
      granted: 5_000_000n,
      debited: 0n,
      held: 1_000_000n,
      liveHolds: 1,
      hasGrants: true,
    });
    await reopened.close();
  });
});
